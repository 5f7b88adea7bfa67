package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnrichURL_AtMostAFewFetchesToOneHostAtOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(150 * time.Millisecond)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<title>polite</title>"))
	}))
	t.Cleanup(srv.Close)
	const n = 6
	ids := make([]string, n)
	for i := range n {
		ids[i] = f.newItem(t, srv.URL+"/page"+string(rune('a'+i))).ID.String()
	}
	p := f.testHandlers()
	p.EnrichPerHost = 2
	f.startWorker(t, p)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		var done int
		require.NoError(collect, f.env.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM items WHERE id = ANY($1::uuid[]) AND metadata ? 'fetched_at'`, ids).Scan(&done))
		assert.Equal(collect, n, done)
	}, 30*time.Second, 50*time.Millisecond, "every item is enriched in the end")
	assert.LessOrEqual(t, most.Load(), int32(2), "never more than EnrichPerHost fetches to the host at once")
	assert.Equal(t, int32(2), most.Load(), "but the slots are used")
}
