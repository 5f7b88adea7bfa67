package linkcheck_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/atlasapp/atlas/linkcheck"
)

func TestSweep_TakesItsShareOfTheLinksForItsPeriod(t *testing.T) {
	t.Parallel()
	// A sweep every half interval takes half the links: every link is
	// checked once per interval however the work is sliced.
	f := setup(t, func(p *linkcheck.Params) { p.Interval, p.SweepEvery = time.Hour, 30*time.Minute })
	s := server(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	for i := range 4 {
		f.save(t, fmt.Sprintf("%s/p%d", s.URL, i))
	}
	assert.Equal(t, 2, f.sweep(t).Checked)
	assert.Equal(t, 2, f.sweep(t).Checked, "the other half")
	assert.Zero(t, f.sweep(t).Checked, "every link is checked until the next interval")
}

func TestCheck_A503WithAnHTTPDateRetryAfterPutsTheHostOffUntilThen(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	var hits atomic.Int64
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		// Retry-After as a date: half an hour after the test's clock.
		w.Header().Set("Retry-After", f.clock.Now().Add(30*time.Minute).Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	it := f.save(t, s.URL+"/busy")
	assert.Equal(t, linkcheck.SweepResult{Deferred: 1}, f.sweep(t))
	assert.Empty(t, f.history(t, it), "a throttled check records nothing")
	assert.Empty(t, f.changes(t, it))
	asked := hits.Load() // HEAD, then GET: a 503 may be HEAD's alone

	f.later(20 * time.Minute)
	assert.Zero(t, f.sweep(t).Checked, "not before the date it gave")
	assert.Equal(t, asked, hits.Load())
	f.later(20 * time.Minute)
	f.sweep(t)
	assert.Greater(t, hits.Load(), asked, "asked again after the date")
}
