package webhook_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/webhook"
)

func TestDeliver_AHangingReceiverDoesNotHoldUpTheOthers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	release := make(chan struct{})
	var inFlight, most, ended atomic.Int32
	hanging := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		defer ended.Add(1)
		for m := most.Load(); n > m; m = most.Load() {
			if most.CompareAndSwap(m, n) {
				break
			}
		}
		select { // until the attempt's timeout, or the receiver recovers
		case <-r.Context().Done():
		case <-release:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	t.Cleanup(func() { // before the receiver closes (cleanups run last first)
		select {
		case <-release:
		default:
			close(release)
		}
	})
	healthy := newReceiver(t, nil)
	he, hsecret := f.register(t, hanging.URL)
	ge, gsecret := f.register(t, healthy.URL)
	hanging.setSecret(hsecret)
	healthy.setSecret(gsecret)
	p := f.deliverParams()
	p.Timeout = 10 * time.Second
	p.Workers = 4 // an endpoint gets one at a time
	f.startWorker(t, p)

	ctx := context.Background()
	for range 6 { // more than the workers: without isolation they all hang
		_, err := f.svc.SendTest(ctx, f.owner.ID, he.ID)
		require.NoError(t, err)
	}
	for range 3 {
		_, err := f.svc.SendTest(ctx, f.owner.ID, ge.ID)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return len(healthy.requests()) == 3 }, waitTimeout, 10*time.Millisecond)
	// Not a wall-clock bound (the suite shares the cores): what matters is that nothing waited for the
	// hanging receiver, whose first attempt is still open.
	assert.Zero(t, ended.Load(), "the healthy receiver got its events while the hanging one's first attempt was still open")
	for _, r := range healthy.requests() {
		require.NoError(t, r.Verified)
	}
	assert.Equal(t, int32(1), most.Load(), "the hanging receiver had one attempt at a time")

	close(release) // the receiver recovers: the waiting deliveries go out
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ms := f.messages(c, he.ID)
		require.Len(c, ms, 6)
		for _, m := range ms {
			assert.Equal(c, webhook.StatusDelivered, m.Status)
		}
	}, 2*waitTimeout, 50*time.Millisecond)
	assert.Equal(t, 6, hanging.uniqueIDs())
}
