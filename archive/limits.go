package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/atlasapp/atlas/enrich"
)

// budget is what one capture may still download: bytes in total, and
// bytes per response. Every response body read through a budgetTransport
// counts against it, after decompression (so a gzip bomb is cut at the
// limit like an endless stream).
type budget struct {
	ctx         context.Context
	perResource int64
	remaining   atomic.Int64
	exceeded    atomic.Bool
	mu          sync.Mutex
	blocked     int
	skipped     int
}

func newBudget(ctx context.Context, total, perResource int64) *budget {
	b := &budget{ctx: ctx, perResource: perResource}
	b.remaining.Store(total)
	return b
}

// errResourceTooLarge and errTotalTooLarge end a body that grew past a limit.
var (
	errResourceTooLarge = errors.New("archive: a resource is larger than the per-resource limit")
	errTotalTooLarge    = errors.New("archive: the page and its resources are larger than the per-item limit")
)

// budgetTransport runs every request of a capture under its time budget
// (obelisk's own requests carry no context) through the guarded transport,
// and meters the bodies. A response that says up front it is larger than
// the per-resource limit is refused (obelisk then keeps the original URL,
// which the served copy's policy does not load); a body that turns out
// larger is cut with an error that fails the capture.
type budgetTransport struct {
	next http.RoundTripper
	b    *budget
}

// RoundTrip implements http.RoundTripper.
func (t budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req.WithContext(t.b.ctx))
	if err != nil {
		t.b.mu.Lock()
		if errors.Is(err, enrich.ErrBlockedAddress) || errors.Is(err, enrich.ErrUnsupportedScheme) || errors.Is(err, enrich.ErrInvalidURL) {
			t.b.blocked++
		} else {
			t.b.skipped++
		}
		t.b.mu.Unlock()
		return nil, err
	}
	if resp.ContentLength > t.b.perResource {
		_ = resp.Body.Close()
		t.b.mu.Lock()
		t.b.skipped++
		t.b.mu.Unlock()
		return nil, fmt.Errorf("%s: %d bytes: %w", req.URL.Redacted(), resp.ContentLength, errResourceTooLarge)
	}
	resp.Body = &meteredBody{rc: resp.Body, b: t.b, left: t.b.perResource}
	return resp, nil
}

// meteredBody counts a body's bytes against the resource's and the
// capture's limits.
type meteredBody struct {
	rc   io.ReadCloser
	b    *budget
	left int64
}

func (m *meteredBody) Read(p []byte) (int, error) {
	n, err := m.rc.Read(p)
	if n > 0 {
		m.left -= int64(n)
		if m.left < 0 {
			m.b.exceeded.Store(true)
			return n, errResourceTooLarge
		}
		if m.b.remaining.Add(-int64(n)) < 0 {
			m.b.exceeded.Store(true)
			return n, errTotalTooLarge
		}
	}
	return n, err
}

func (m *meteredBody) Close() error { return m.rc.Close() }

// counts returns how many resources were blocked by the guard and how many
// were left out for another reason (unreachable, refused, too large).
func (b *budget) counts() (blocked, skipped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked, b.skipped
}
