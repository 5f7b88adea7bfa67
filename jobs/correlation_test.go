package jobs

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/correlation"
)

func TestJobCorrelation_FollowsTheRequestThatCausedTheJob(t *testing.T) {
	t.Parallel()
	ids := correlation.IDs{RequestID: "req-1", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	meta := metadataFor(correlation.With(context.Background(), ids))

	enrich := &rivertype.JobRow{ID: 7, Kind: "enrich_url", Metadata: meta, EncodedArgs: []byte(`{}`)}
	require.Equal(t, ids, jobCorrelation(enrich))

	orphan := &rivertype.JobRow{ID: 9, Kind: "reindex_item", Metadata: []byte(`{}`)}
	require.Equal(t, "job-9", jobCorrelation(orphan).RequestID, "a job with no recorded request is named after itself")
}
