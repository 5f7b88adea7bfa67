package jobs_test

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/retry"
)

// TestEnrichURL_DNSFailureRetriesWithAReason checks that a host that does
// not resolve is treated as passing: the job waits for its next attempt as
// RETRYING, says why in people's words and keeps the raw error apart; "try
// again" runs it at once, and it succeeds once the name resolves.
func TestEnrichURL_DNSFailureRetriesWithAReason(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, _ := site(t)
	port := mustPort(t, base)
	var resolves atomic.Bool
	p := f.testHandlers()
	p.EnrichRetry = retry.Backoff{Base: time.Hour, Max: time.Hour} // the next attempt waits for "try again"
	p.Fetch.ResolveFunc = func(_ context.Context, host string) ([]netip.Addr, error) {
		if resolves.Load() {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	f.startWorker(t, p)

	it := f.newItem(t, "http://notes.example.com:"+port+"/article")
	j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusRetrying)
	assert.Equal(t, 1, j.Attempts)
	assert.Equal(t, jobs.EnrichMaxAttempts, j.MaxAttempts)
	assert.True(t, j.ScheduledAt.After(time.Now().Add(30*time.Minute)), "the next attempt is due later: %s", j.ScheduledAt)
	assert.Equal(t, "Couldn't find the server notes.example.com (DNS)", j.Reason())
	require.NotNil(t, j.Failure)
	assert.False(t, j.Failure.Permanent)
	assert.Contains(t, j.LastError, "no such host", "the technical detail is kept")
	assert.Equal(t, "enriching", f.getItem(t, it.ID).Enrichment, "the item shows it is still being fetched")

	// Try again, while the name still does not resolve: a second attempt.
	again, err := f.env.Jobs.Retry(context.Background(), f.owner.ID, j.ID)
	require.NoError(t, err)
	assert.Equal(t, j.ID, again.ID)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got := f.job(c, j.ID)
		assert.Equal(c, jobs.StatusRetrying, got.Status)
		assert.Equal(c, 2, got.Attempts)
	}, 15*time.Second, 10*time.Millisecond)

	resolves.Store(true)
	_, err = f.env.Jobs.Retry(context.Background(), f.owner.ID, j.ID)
	require.NoError(t, err)
	done := f.waitStatus(t, j.ID, jobs.StatusSucceeded)
	assert.Equal(t, 3, done.Attempts)
	assert.Empty(t, done.Reason(), "a done job has no failure reason")
	assert.Equal(t, "done", f.getItem(t, it.ID).Enrichment)

	_, err = f.env.Jobs.Retry(context.Background(), f.owner.ID, j.ID)
	require.ErrorIs(t, err, atlas.ErrConflict, "a done job is not tried again")
}

// TestRetry_FailedJobRunsAgainAndOnlyWritersMay checks "try again" on a job
// that failed for good, and who may ask for it.
func TestRetry_FailedJobRunsAgainAndOnlyWritersMay(t *testing.T) {
	t.Parallel()
	f := setup(t)
	editor, viewer, stranger := f.env.NewUser(t), f.env.NewUser(t), f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.collection, editor, collection.RoleEditor)
	f.env.AddMember(t, f.owner, f.collection, viewer, collection.RoleViewer)
	f.startWorker(t, f.testHandlers()) // loopback allowed, private networks are not

	it := f.newItem(t, "http://10.0.0.1/")
	j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusFailed)
	assert.Equal(t, "Blocked: the address is on a private network", j.Reason())
	assert.Equal(t, 1, j.Attempts, "a permanent failure is not retried")
	assert.Equal(t, "failed", f.getItem(t, it.ID).Enrichment)

	_, err := f.env.Jobs.Retry(context.Background(), viewer.ID, j.ID)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = f.env.Jobs.Retry(context.Background(), stranger.ID, j.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	assert.Equal(t, jobs.StatusFailed, f.job(t, j.ID).Status, "refused retries change nothing")

	again, err := f.env.Jobs.Retry(context.Background(), editor.ID, j.ID)
	require.NoError(t, err)
	assert.Contains(t, []jobs.Status{jobs.StatusRetrying, jobs.StatusRunning}, again.Status)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got := f.job(c, j.ID)
		assert.Equal(c, jobs.StatusFailed, got.Status)
		assert.Equal(c, 2, got.Attempts)
	}, 15*time.Second, 10*time.Millisecond, "the job ran again and failed for the same reason")
	assert.Equal(t, enrich.FailureBlocked, f.job(t, j.ID).Failure.Kind)
}

func mustPort(t *testing.T, base string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(base[len("http://"):])
	require.NoError(t, err)
	return port
}
