package webhook

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Isolation of slow endpoints. A receiver that hangs holds a worker for the
// whole timeout (ATLAS_WEBHOOK_TIMEOUT, 10 s); one that gets an event a
// second would hold ten of them, and a few such receivers every worker of
// the queue, so that healthy endpoints' deliveries wait behind them. Each
// worker process therefore lets an endpoint have at most a quarter of the
// queue's workers, a suspect endpoint, one that is failing (failing_since
// is set) or has an attempt under way for longer than slowAfter, one at a
// time, and all suspect endpoints together at most half of the workers. A
// delivery that may not go now is snoozed (River does not count it as an
// attempt), for longer each time.
const (
	// slowAfter is how long an attempt may take before its endpoint is
	// suspect: far more than a healthy receiver takes.
	slowAfter = time.Second
	// snoozeMax bounds a waiting delivery's snooze, which starts at about
	// the attempt timeout and doubles.
	snoozeMax = 10 * time.Minute
)

// inflight is one worker process's attempts under way.
type inflight struct {
	mu       sync.Mutex
	next     uint64
	attempts map[uint64]flight
	// perEndpoint is how many attempts an endpoint that is not suspect may
	// have at once; suspectMax is how many all suspect endpoints may.
	perEndpoint, suspectMax int
}

// flight is one attempt under way.
type flight struct {
	endpoint uuid.UUID
	start    time.Time
	// failing: the endpoint was failing when the attempt started.
	failing bool
}

// slow reports whether the attempt counts against suspect endpoints.
func (f flight) slow(now time.Time) bool { return f.failing || now.Sub(f.start) >= slowAfter }

func newInflight(workers int) *inflight {
	return &inflight{attempts: map[uint64]flight{}, perEndpoint: max(1, workers/4), suspectMax: max(1, workers/2)}
}

// acquire registers an attempt at endpoint (failing: its failing_since is
// set) starting at now, and returns the function that ends it; ok is false,
// and nothing is registered, when the attempt must wait.
func (in *inflight) acquire(endpoint uuid.UUID, failing bool, now time.Time) (release func(), ok bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	suspect, mine, slow := failing, 0, 0
	for _, f := range in.attempts {
		s := f.slow(now)
		if s {
			slow++
		}
		if f.endpoint == endpoint {
			mine++
			suspect = suspect || s
		}
	}
	if mine >= in.perEndpoint || suspect && (mine > 0 || slow >= in.suspectMax) {
		return nil, false
	}
	in.next++
	id := in.next
	in.attempts[id] = flight{endpoint: endpoint, start: now, failing: failing}
	return func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		delete(in.attempts, id)
	}, true
}

// snoozeFor is how long a delivery that must wait is snoozed: about the
// attempt timeout the first time, twice as long each time after (River
// counts the snoozes in the job's metadata), at most snoozeMax, with
// jitter so that the waiting deliveries of an endpoint spread out.
func snoozeFor(timeout time.Duration, metadata []byte) time.Duration {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(metadata, &m) // no metadata: never snoozed
	d := timeout
	for range min(m.Snoozes, 16) {
		d *= 2
	}
	d = min(d, snoozeMax)
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
}
