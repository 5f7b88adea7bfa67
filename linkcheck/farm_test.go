package linkcheck_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// farmListeners is how many loopback addresses (127.0.0.11 and up) the
// farm's servers listen on; its host names are spread over them.
const farmListeners = 8

// farm is the web in miniature for the benchmark: real HTTP servers on
// several loopback addresses answering for many host names
// (h0000.farm.test, h0001.farm.test, ...), each host with a latency of its
// own, and counting what every host saw (requests in flight, when each
// began). Its names resolve through resolve (the fetcher's ResolveFunc):
// the checker dials them through the SSRF guard like any other host.
type farm struct {
	hosts   int
	addrs   []netip.Addr
	ports   []int
	servers []*http.Server
	latency []time.Duration // each host's median time to answer

	mu   sync.Mutex
	seen map[string]*hostLog // by Host header (name:port)
}

// newFarm starts the farm's servers; they stop when the benchmark ends.
func newFarm(b *testing.B, hosts int) *farm {
	b.Helper()
	f := &farm{hosts: hosts, seen: map[string]*hostLog{}}
	rng := rand.New(rand.NewPCG(31, 1000))
	for range hosts {
		// Log-normal around 60 ms (most hosts 25–150 ms, a few slow ones up
		// to 1.5 s): what servers on the Internet take to answer.
		d := time.Duration(60 * float64(time.Millisecond) * math.Exp(0.8*rng.NormFloat64()))
		f.latency = append(f.latency, min(max(d, 5*time.Millisecond), 1500*time.Millisecond))
	}
	for i := range farmListeners {
		addr := netip.AddrFrom4([4]byte{127, 0, 0, byte(11 + i)})
		l, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
		require.NoError(b, err)
		srv := &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		f.addrs = append(f.addrs, addr)
		f.ports = append(f.ports, l.Addr().(*net.TCPAddr).Port)
		f.servers = append(f.servers, srv)
	}
	b.Cleanup(f.close)
	return f
}

func (f *farm) close() {
	for _, s := range f.servers {
		_ = s.Close()
	}
}

// hostIndex reads the number of a farm host name ("h0042.farm.test" → 42).
func hostIndex(name string) (int, bool) {
	num, ok := strings.CutSuffix(strings.TrimPrefix(name, "h"), ".farm.test")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil
}

// resolve is the farm's DNS: every host name is one of its loopback
// addresses.
func (f *farm) resolve(_ context.Context, name string) ([]netip.Addr, error) {
	i, ok := hostIndex(name)
	if !ok || i >= f.hosts {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{f.addrs[i%farmListeners]}, nil
}

// serve answers like a website would, after the host's latency: the links
// /p/<n> are, by a hash of n, an HTML page (55 %), a PDF (25 %), a
// permanent redirect to a new address (8 %), a temporary one (2 %), gone
// (5 %), a page that says "not found" (2 %) or a server error (3 %). Pages have validators
// and answer conditional requests with 304.
func (f *farm) serve(w http.ResponseWriter, r *http.Request) {
	log := f.log(r.Host)
	log.begin()
	defer log.end()
	name, _, _ := strings.Cut(r.Host, ":")
	i, _ := hostIndex(name)
	if i < len(f.latency) {
		d := time.Duration(float64(f.latency[i]) * (0.75 + 0.5*rand.Float64()))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	kind, num, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	n, _ := strconv.Atoi(num)
	etag := `"v1-` + num + `"`
	page := func(title string) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", etag)
		if r.Method == http.MethodGet {
			fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body>%s</body></html>", title, strings.Repeat("<p>Some text.</p>", 100))
		}
	}
	if kind != "p" { // where redirects lead
		page("Page " + num)
		return
	}
	switch k := uint32(n) * 2654435761 >> 8 % 100; { // mixed on every host
	case k < 55:
		page("Page " + num)
	case k < 80:
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Last-Modified", "Mon, 02 Mar 2026 10:00:00 GMT")
		if r.Header.Get("If-Modified-Since") != "" {
			w.WriteHeader(http.StatusNotModified)
		}
	case k < 88:
		http.Redirect(w, r, "/new/"+num, http.StatusMovedPermanently)
	case k < 90:
		http.Redirect(w, r, "/tmp/"+num, http.StatusFound)
	case k < 95:
		http.NotFound(w, r)
	case k < 97:
		page("Page not found")
	default:
		w.WriteHeader(http.StatusInternalServerError)
	}
}

func (f *farm) log(host string) *hostLog {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.seen[host]
	if !ok {
		l = &hostLog{}
		f.seen[host] = l
	}
	return l
}

// farmStats is what the busiest hosts saw.
type farmStats struct {
	requests, hosts int
	maxInFlight     int           // the most requests one host had at once
	minGap          time.Duration // the shortest time between two requests to one host
	maxRate         float64       // the most requests one host saw in any window, per second
}

// stats sums up what the hosts saw; rates are counted over windows of
// window (requests in the busiest window of any host, per second).
func (f *farm) stats(window time.Duration) farmStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := farmStats{hosts: len(f.seen), minGap: time.Duration(math.MaxInt64)}
	for _, l := range f.seen {
		l.mu.Lock()
		s := slices.Clone(l.starts)
		st.maxInFlight = max(st.maxInFlight, l.maxInFlight)
		l.mu.Unlock()
		slices.SortFunc(s, time.Time.Compare)
		st.requests += len(s)
		from := 0
		for to := range s {
			if to > 0 {
				st.minGap = min(st.minGap, s[to].Sub(s[to-1]))
			}
			for s[to].Sub(s[from]) >= window {
				from++
			}
			st.maxRate = max(st.maxRate, float64(to-from+1)/window.Seconds())
		}
	}
	return st
}

// hostLog is what a test server saw: when each request began, and the
// most requests it had in flight at once.
type hostLog struct {
	mu          sync.Mutex
	starts      []time.Time
	inFlight    int
	maxInFlight int
}

func (l *hostLog) begin() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.starts = append(l.starts, time.Now())
	l.inFlight++
	l.maxInFlight = max(l.maxInFlight, l.inFlight)
}

func (l *hostLog) end() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
}
