package linkcheck

import (
	"context"
	"sync"
	"time"

	"github.com/atlasapp/atlas/item"
)

// hostFailLimit is how many checks in a row of links on one host may fail
// (no answer, or a server error) before the host is backed off: a host
// that fails for every link is down, not its links.
const hostFailLimit = 3

// Backoff of a failing host: base, doubled for every further failure, up
// to the cap.
const (
	hostBackoffBase = 15 * time.Minute
	hostBackoffMax  = 24 * time.Hour
)

// hosts is the politeness state of one checker: whether a request to a
// host is in flight and when the host may be asked again (the per-host
// limits, kept for every request: HEAD and GET, and each hop of a
// redirect, whatever link it belongs to), and which hosts are backed off
// after failing for every link or asking to wait. It lives in the worker
// process; several workers each keep their own.
type hosts struct {
	mu   sync.Mutex
	gap  time.Duration
	host map[string]*hostState
}

type hostState struct {
	nextAt       time.Time     // the earliest start of the next request (wall clock)
	busy         chan struct{} // closed when the request in flight ends; nil when none is
	fails        int           // failed checks in a row
	backoffUntil time.Time     // the checker's clock
}

func newHosts(gap time.Duration) *hosts {
	return &hosts{gap: gap, host: map[string]*hostState{}}
}

func (h *hosts) state(host string) *hostState {
	s, ok := h.host[host]
	if !ok {
		s = &hostState{}
		h.host[host] = s
	}
	return s
}

// backedOff reports until when host is backed off, if it is at now.
func (h *hosts) backedOff(host string, now time.Time) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.state(host)
	return s.backoffUntil, now.Before(s.backoffUntil)
}

// acquire waits until a request may be sent to host (none in flight to it,
// and the interval since the last one was sent has passed) and marks it in
// flight; release, given when the request was sent, ends that. The wait is
// on the wall clock: politeness is owed to the host in real time. It
// returns ctx's error if ctx ends first.
func (h *hosts) acquire(ctx context.Context, host string) (release func(sent time.Time), err error) {
	for {
		h.mu.Lock()
		s := h.state(host)
		now := time.Now()
		if s.busy == nil && !now.Before(s.nextAt) {
			done := make(chan struct{})
			s.busy, s.nextAt = done, now.Add(h.gap)
			h.mu.Unlock()
			return func(sent time.Time) {
				h.mu.Lock()
				s.busy = nil
				if next := sent.Add(h.gap); next.After(s.nextAt) {
					s.nextAt = next
				}
				h.mu.Unlock()
				close(done)
			}, nil
		}
		busy, wait := s.busy, s.nextAt.Sub(now)
		h.mu.Unlock()
		if busy != nil {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-busy:
			}
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// observe records a check of a link on host: a host whose links fail
// hostFailLimit times in a row is backed off (longer each time), one that
// asks to wait is left alone that long, and any answer from it that is
// not a failure clears its record.
func (h *hosts) observe(host string, p Probe, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.state(host)
	switch {
	case p.Throttled:
		wait := max(p.RetryAfter, h.gap, time.Second)
		s.backoffUntil = now.Add(min(wait, hostBackoffMax))
	case p.Status == item.LinkUnreachable || p.Status == item.LinkServerError:
		s.fails++
		if s.fails >= hostFailLimit {
			d := hostBackoffBase << min(s.fails-hostFailLimit, 10)
			s.backoffUntil = now.Add(min(d, hostBackoffMax))
		}
	default:
		s.fails, s.backoffUntil = 0, time.Time{}
	}
}

// backedOffCount is how many hosts are backed off at now; it also forgets
// hosts with nothing worth remembering.
func (h *hosts) backedOffCount(now time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for name, s := range h.host {
		switch {
		case now.Before(s.backoffUntil):
			n++
		case s.fails == 0 && s.busy == nil && !time.Now().Before(s.nextAt):
			delete(h.host, name)
		}
	}
	return n
}
