package linkcheck_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/linkcheck"
)

func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestCheck_NotFoundTwiceADayApartIsGoneWithOneEvent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	s := server(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	it := f.save(t, s.URL+"/old-post")

	f.sweep(t)
	assert.Equal(t, item.LinkUnknown, f.link(t, it).Status, "one 404 is not enough")
	require.Len(t, f.history(t, it), 1)
	assert.Equal(t, item.LinkGone, f.history(t, it)[0].Status)
	assert.Zero(t, f.sweep(t).Checked, "the confirming check waits for its time")

	f.later(confirm)
	f.sweep(t)
	got := f.link(t, it)
	assert.Equal(t, item.LinkGone, got.Status)
	require.NotNil(t, got.HTTPStatus)
	assert.Equal(t, http.StatusNotFound, *got.HTTPStatus)
	evs := f.changes(t, it)
	require.Len(t, evs, 1)
	assert.JSONEq(t, `"gone"`, string(must(evs[0].Envelope.Data, "to")))
	stored, err := f.env.Items.GetForSystem(t.Context(), it.ID)
	require.NoError(t, err)
	assert.Equal(t, it.Version+1, stored.Version, "the search index re-reads the item")

	// Lists filter by it.
	for filter, want := range map[string]int{"dead": 1, "gone": 1, "attention": 1, "ok": 0, "moved": 0} {
		page, _, err := f.env.Items.List(t.Context(), f.owner.ID, f.collection, item.ListParams{LinkStatus: []string{filter}, Page: cursor.Page{Limit: 10}})
		require.NoError(t, err)
		assert.Len(t, page, want, filter)
	}

	// Still gone a week later: no new event.
	f.later(8 * 24 * time.Hour)
	require.Equal(t, 1, f.sweep(t).Checked)
	assert.Len(t, f.changes(t, it), 1)
	assert.Len(t, f.history(t, it), 3)
}

func TestCheck_AFlappingLinkEmitsNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var down atomic.Bool
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	it := f.save(t, s.URL+"/flaky")
	for i := range 12 {
		down.Store(i%2 == 1) // every other check finds it down
		require.Equal(t, 1, f.sweep(t).Checked)
		f.later(8 * 24 * time.Hour)
	}
	assert.Equal(t, item.LinkOK, f.link(t, it).Status)
	assert.Empty(t, f.changes(t, it), "up, down, up, down: no confirmed change")
	h := f.history(t, it)
	assert.Len(t, h, 10, "the history stays short")
	seen := map[item.LinkStatus]bool{}
	for _, c := range h {
		seen[c.Status] = true
	}
	assert.True(t, seen[item.LinkOK] && seen[item.LinkServerError], "both states were observed: %v", h)
}

func TestCheck_AHangingHostIsUnreachableWithinTheTimeout(t *testing.T) {
	t.Parallel()
	f := setup(t)
	s := server(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	it := f.save(t, s.URL+"/hang")
	start := time.Now()
	f.sweep(t)
	assert.Less(t, time.Since(start), 3*testTimeout)
	h := f.history(t, it)
	require.Len(t, h, 1)
	assert.Equal(t, item.LinkUnreachable, h[0].Status)
	assert.Contains(t, h[0].Detail, "no answer within")

	f.later(confirm)
	f.sweep(t)
	assert.Equal(t, item.LinkUnreachable, f.link(t, it).Status)
	assert.Len(t, f.changes(t, it), 1)
}

// dripServer answers every request on a raw socket with head at once,
// then drip one byte at a time, a little apart.
func dripServer(t *testing.T, head, drip string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				if _, err := conn.Write([]byte(head)); err != nil {
					return
				}
				for i := range len(drip) {
					if _, err := conn.Write([]byte{drip[i]}); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond) // the fault under test: a server that drips
				}
			}()
		}
	}()
	return "http://" + hostPort(l)
}

func TestCheck_AServerAnsweringByteByByteIsCutOffAtTheTimeout(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// Headers that take 5 s to arrive: no answer within the timeout.
	slowHead := dripServer(t, "", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: "+strings.Repeat("x", 60)+"\r\n\r\n")
	// Headers in time, then a body that trickles: the status counts.
	slowBody := dripServer(t, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n", strings.Repeat("<p>slow</p>", 40))
	head, body := f.save(t, slowHead+"/a"), f.save(t, slowBody+"/b")
	start := time.Now()
	f.sweep(t)
	f.later(time.Minute)
	f.sweep(t)
	assert.Less(t, time.Since(start), 6*testTimeout, "each check is bounded by the timeout")
	require.Len(t, f.history(t, head), 1)
	assert.Equal(t, item.LinkUnreachable, f.history(t, head)[0].Status)
	require.Len(t, f.history(t, body), 1)
	assert.Equal(t, item.LinkOK, f.history(t, body)[0].Status)
}

func TestCheck_RedirectLoopsAndRedirectsToPrivateAddressesAreUnreachable(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	var hitPrivate atomic.Bool
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case "/b":
			http.Redirect(w, r, "/a?utm_source=loop", http.StatusMovedPermanently)
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/intranet":
			http.Redirect(w, r, "http://10.0.0.1/admin", http.StatusMovedPermanently)
		default:
			hitPrivate.Store(true)
		}
	})
	loop, meta, intranet := f.save(t, s.URL+"/a"), f.save(t, s.URL+"/metadata"), f.save(t, s.URL+"/intranet")
	require.Equal(t, 3, f.sweep(t).Checked)
	for _, c := range []struct {
		it   item.Item
		want string
	}{{loop, "a redirect loop"}, {meta, "not one Atlas may fetch"}, {intranet, "not one Atlas may fetch"}} {
		it, want := c.it, c.want
		h := f.history(t, it)
		require.Len(t, h, 1, *it.SourceURL)
		assert.Equal(t, item.LinkUnreachable, h[0].Status, *it.SourceURL)
		assert.Contains(t, h[0].Detail, want, *it.SourceURL)
	}
	assert.False(t, hitPrivate.Load())
}

func TestCheck_ASoft404IsOKButRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodHead {
			return
		}
		assert.Equal(t, "bytes=0-4095", r.Header.Get("Range"), "only the start of the page")
		fmt.Fprint(w, "<html><head><title>Oops - Page Not Found</title></head><body>Try the home page</body></html>")
	})
	it := f.save(t, s.URL+"/missing")
	f.sweep(t)
	got := f.link(t, it)
	assert.Equal(t, item.LinkOK, got.Status, "the first check of a working link needs no confirmation")
	assert.True(t, got.Soft404)
	assert.Empty(t, f.changes(t, it), "first sight of a working link is not announced")
}

func TestCheck_A429PutsTheHostOffForItsRetryAfterWithoutRecording(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	var hits atomic.Int64
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	a, b := f.save(t, s.URL+"/a"), f.save(t, s.URL+"/b")
	res := f.sweep(t)
	assert.Equal(t, linkcheck.SweepResult{Deferred: 2}, res)
	assert.Equal(t, int64(1), hits.Load(), "the second link of the host is not asked for")
	assert.Empty(t, f.history(t, a))
	assert.Empty(t, f.history(t, b))

	f.later(time.Minute)
	assert.Zero(t, f.sweep(t).Checked, "not before Retry-After")
	assert.Equal(t, int64(1), hits.Load())
	f.later(10 * time.Minute)
	f.sweep(t)
	assert.Equal(t, int64(2), hits.Load(), "asked again after the wait")
}

func TestCheck_AHostFailingForEveryLinkIsBackedOff(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	var hits atomic.Int64
	s := server(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	})
	for i := range 6 {
		f.save(t, fmt.Sprintf("%s/p%d", s.URL, i))
	}
	res := f.sweep(t)
	assert.Equal(t, 3, res.Checked)
	assert.Equal(t, 3, res.Deferred, "after three failures in a row the host is left alone")
	// After the backoff the host is asked again; failing again, it is
	// backed off again at once.
	f.later(21 * time.Minute)
	res = f.sweep(t)
	assert.Equal(t, 1, res.Checked)
	assert.Equal(t, 2, res.Deferred)
}

func TestCheck_PermanentRedirectsAreMovedOthersAreNot(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/temp":
			http.Redirect(w, r, "/new", http.StatusFound)
		case "/slash":
			http.Redirect(w, r, "/slash/", http.StatusPermanentRedirect)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	moved, temp, slash := f.save(t, s.URL+"/old"), f.save(t, s.URL+"/temp"), f.save(t, s.URL+"/slash")
	f.sweep(t)
	f.later(confirm)
	f.sweep(t)
	got := f.link(t, moved)
	assert.Equal(t, item.LinkMoved, got.Status)
	require.NotNil(t, got.MovedTo)
	assert.Equal(t, s.URL+"/new", *got.MovedTo)
	assert.Equal(t, item.LinkOK, f.link(t, temp).Status)
	assert.Equal(t, item.LinkOK, f.link(t, slash).Status, "the same page by another spelling")
}

func TestCheck_ConditionalRequestsReuseTheValidators(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var conditional atomic.Int64
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.WriteHeader(http.StatusOK)
	})
	it := f.save(t, s.URL+"/doc")
	f.sweep(t)
	f.later(8 * 24 * time.Hour)
	f.sweep(t)
	assert.Equal(t, int64(1), conditional.Load())
	assert.Equal(t, item.LinkOK, f.link(t, it).Status)
	require.Len(t, f.history(t, it), 2)
	assert.Equal(t, http.StatusNotModified, *f.history(t, it)[0].HTTPStatus)
}

func TestCheck_IDNAndIPv6Links(t *testing.T) {
	t.Parallel()
	f := setup(t, func(p *linkcheck.Params) { p.Interval = time.Minute })
	var idnHost atomic.Value
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		idnHost.Store(r.Host)
		w.WriteHeader(http.StatusOK)
	})
	_, port, err := net.SplitHostPort(hostPort(s.Listener))
	require.NoError(t, err)
	idn := f.save(t, "http://café.test:"+port+"/menü?q=%C3%A9")

	l6, err := net.Listen("tcp", "[::1]:0")
	require.NoError(t, err)
	s6 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	s6.Listener = l6
	s6.Start()
	t.Cleanup(s6.Close)
	v6 := f.save(t, "http://"+hostPort(l6)+"/six")
	require.True(t, strings.HasPrefix(*v6.SourceURL, "http://[::1]:"))

	require.Equal(t, 2, f.sweep(t).Checked)
	assert.Equal(t, item.LinkOK, f.link(t, idn).Status, "%v", f.history(t, idn))
	assert.Equal(t, "xn--caf-dma.test:"+port, idnHost.Load())
	assert.Equal(t, item.LinkOK, f.link(t, v6).Status, "%v", f.history(t, v6))
}
