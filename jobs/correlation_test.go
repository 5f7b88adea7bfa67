package jobs

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/events"
)

func TestJobCorrelation_FollowsTheRequestThatCausedTheJob(t *testing.T) {
	t.Parallel()
	ids := correlation.IDs{RequestID: "req-1", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}
	meta := metadataFor(correlation.With(context.Background(), ids))

	enrich := &rivertype.JobRow{ID: 7, Kind: "enrich_url", Metadata: meta, EncodedArgs: []byte(`{}`)}
	require.Equal(t, ids, jobCorrelation(enrich))

	publish := &rivertype.JobRow{ID: 8, Kind: events.KindPublishEvent, Metadata: []byte(`{}`),
		EncodedArgs: []byte(`{"envelope":{"request_id":"req-2","trace_id":"0af7651916cd43dd8448eb211c80319c"}}`)}
	require.Equal(t, correlation.IDs{RequestID: "req-2", TraceID: "0af7651916cd43dd8448eb211c80319c"}, jobCorrelation(publish))

	orphan := &rivertype.JobRow{ID: 9, Kind: "reindex_item", Metadata: []byte(`{}`)}
	require.Equal(t, "job-9", jobCorrelation(orphan).RequestID, "a job with no recorded request is named after itself")
}
