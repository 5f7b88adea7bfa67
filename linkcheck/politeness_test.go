package linkcheck_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/linkcheck"
)

// minGap is the shortest time between the starts of two requests.
func (l *hostLog) minGap() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := slices.Clone(l.starts)
	slices.SortFunc(s, time.Time.Compare)
	gap := time.Duration(1 << 62)
	for i := 1; i < len(s); i++ {
		gap = min(gap, s[i].Sub(s[i-1]))
	}
	return gap
}

func TestCheck_EveryRequestToAHostWaitsItsTurnWithoutEatingTheTimeout(t *testing.T) {
	t.Parallel()
	const gap = 150 * time.Millisecond
	f := setup(t, func(p *linkcheck.Params) { p.Interval, p.HostInterval, p.Concurrency = time.Minute, gap, 16 })
	var seen hostLog
	// The target host: HTML pages, so every check is a HEAD and a GET.
	target := server(t, func(w http.ResponseWriter, _ *http.Request) {
		seen.begin()
		defer seen.end()
		time.Sleep(20 * time.Millisecond) // a request in flight long enough to be overlapped
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
	})
	var links []item.Item
	for i := range 4 {
		links = append(links, f.save(t, fmt.Sprintf("%s/page/%d", target.URL, i)))
	}
	// Links on six other hosts that redirect to it: their hops count
	// against the target's limits too.
	for i := range 6 {
		r := server(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, fmt.Sprintf("%s/page/r%d", target.URL, i), http.StatusFound)
		})
		links = append(links, f.save(t, r.URL+"/go"))
	}

	require.Equal(t, 10, f.sweep(t).Checked)
	seen.mu.Lock()
	requests, most := len(seen.starts), seen.maxInFlight
	seen.mu.Unlock()
	assert.Equal(t, 20, requests, "a HEAD and a GET for each of the ten links")
	assert.Equal(t, 1, most, "one request at a time")
	// The checker starts requests gap apart; their arrival may shift by
	// the scheduler's jitter, far less than half of it. (Unpaced, a GET
	// follows its HEAD within a millisecond.)
	assert.GreaterOrEqual(t, seen.minGap(), gap/2)
	// The last in line waited ~3 s for its turn, three times the check's
	// timeout: waiting is not counted.
	for _, it := range links {
		h := f.history(t, it)
		require.Len(t, h, 1, *it.SourceURL)
		assert.Equal(t, item.LinkOK, h[0].Status, "%s: %s", *it.SourceURL, h[0].Detail)
	}
}

func TestCheck_ConcurrencyBoundsRequestsInFlightNotHostsWaitingTheirTurn(t *testing.T) {
	t.Parallel()
	const gap = 400 * time.Millisecond
	f := setup(t, func(p *linkcheck.Params) { p.Interval, p.HostInterval, p.Concurrency = time.Minute, gap, 2 })
	var mu sync.Mutex
	var inFlight, most int
	for range 16 {
		s := server(t, func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(10 * time.Millisecond) // a request in flight long enough to be overlapped
			mu.Lock()
			inFlight--
			mu.Unlock()
			w.Header().Set("Content-Type", "application/pdf") // one HEAD per check
		})
		f.save(t, s.URL+"/a")
		f.save(t, s.URL+"/b")
	}
	start := time.Now()
	require.Equal(t, 32, f.sweep(t).Checked)
	// Each host's second link waits 400 ms for its turn. Were a host's
	// wait to hold one of the two slots, the 16 hosts would take eight
	// rounds of at least 400 ms: 3.2 s.
	assert.Less(t, time.Since(start), 2*time.Second)
	mu.Lock()
	defer mu.Unlock()
	assert.LessOrEqual(t, most, 2, "at most Concurrency requests in flight")
}
