package jobs

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultEnrichPerHost is how many ENRICH_URL fetches to one host a worker
// process runs at once: a 10k-bookmark import full of links to one site
// must not hammer it.
const DefaultEnrichPerHost = 2

// hostBusyDelay is how long an ENRICH_URL job whose host is busy waits
// before it is tried again (snoozed: the wait costs no attempt), with up to
// as much again of jitter.
const hostBusyDelay = time.Second

// hostLimiter counts the fetches in flight per host.
type hostLimiter struct {
	mu      sync.Mutex
	perHost int
	busy    map[string]int
}

func newHostLimiter(perHost int) *hostLimiter {
	if perHost <= 0 {
		perHost = DefaultEnrichPerHost
	}
	return &hostLimiter{perHost: perHost, busy: map[string]int{}}
}

// acquire takes a slot for the host of rawURL, reporting false when all
// of them are taken; release gives it back.
func (l *hostLimiter) acquire(rawURL string) (string, bool) {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		host = strings.ToLower(u.Host)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[host] >= l.perHost {
		return host, false
	}
	l.busy[host]++
	return host, true
}

func (l *hostLimiter) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[host]--; l.busy[host] <= 0 {
		delete(l.busy, host)
	}
}

// busyDelay is the snooze of a job whose host is busy.
func busyDelay() time.Duration {
	return hostBusyDelay + time.Duration(rand.Int64N(int64(hostBusyDelay)))
}
