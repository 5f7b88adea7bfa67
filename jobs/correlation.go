package jobs

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas/correlation"
)

// correlationMeta is what a job remembers of the request that enqueued it,
// in River's job metadata.
type correlationMeta struct {
	RequestID string `json:"request_id,omitempty"`
	TraceID   string `json:"trace_id,omitempty"`
}

// metadataFor records ctx's correlation ids for a job being inserted.
func metadataFor(ctx context.Context) []byte {
	ids := correlation.From(ctx)
	b, _ := json.Marshal(correlationMeta{RequestID: ids.RequestID, TraceID: ids.TraceID})
	return b
}

// jobCorrelation recovers the ids a job runs under: the request that caused
// it (recorded in the job's metadata), or the job itself when nothing was
// recorded. Whatever the job
// then writes (an ItemUpdated after enrichment, say) carries the same ids.
func jobCorrelation(job *rivertype.JobRow) correlation.IDs {
	var ids correlation.IDs
	var m correlationMeta
	if json.Unmarshal(job.Metadata, &m) == nil {
		ids = correlation.IDs{RequestID: m.RequestID, TraceID: m.TraceID}
	}
	if ids.RequestID == "" {
		ids.RequestID = "job-" + strconv.FormatInt(job.ID, 10)
	}
	return ids
}
