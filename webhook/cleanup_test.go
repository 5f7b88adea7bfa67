package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/webhook"
)

func TestCleanup_DeletesTheLogPastTheRetention(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	f.waitForMessage(t, e.ID, webhook.StatusDelivered)

	ctx := context.Background()
	require.NoError(t, webhook.NewCleanupWorker(f.env.Pool, 24*time.Hour).Work(ctx, &river.Job[webhook.CleanupArgs]{}))
	require.Len(t, f.messages(t, e.ID), 1, "a fresh log is kept")
	require.NoError(t, webhook.NewCleanupWorker(f.env.Pool, time.Nanosecond).Work(ctx, &river.Job[webhook.CleanupArgs]{}))
	require.Empty(t, f.messages(t, e.ID), "a log older than the retention is deleted")
}
