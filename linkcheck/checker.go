package linkcheck

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/item"
)

// Defaults of Params.
const (
	DefaultInterval     = 7 * 24 * time.Hour
	DefaultConfirmAfter = 24 * time.Hour
	DefaultTimeout      = 10 * time.Second
	DefaultHostInterval = time.Second
	DefaultConcurrency  = 8
	DefaultMaxPerSweep  = 500
	// DefaultSweepEvery is how often the periodic sweep runs; each takes
	// its share of the links so that all of them are checked once per
	// Interval.
	DefaultSweepEvery = time.Minute
)

// Params configures a Checker.
type Params struct {
	Items *item.Service
	// Fetch configures the SSRF-guarded transport every request goes
	// through (tests allow loopback here, nothing else may).
	Fetch enrich.FetcherOpts
	// Interval is how often each link is checked (DefaultInterval).
	Interval time.Duration
	// ConfirmAfter is how long after first seeing a new status its
	// confirming check comes (DefaultConfirmAfter).
	ConfirmAfter time.Duration
	// Timeout bounds one check, redirects included (DefaultTimeout).
	Timeout time.Duration
	// HostInterval is the least time between the starts of two requests
	// to one host (DefaultHostInterval), every request counted (HEAD, GET,
	// redirect hops, whichever link they check); a host gets one request
	// at a time.
	HostInterval time.Duration
	// Concurrency is how many requests are in flight at once, over all
	// hosts (DefaultConcurrency); a host's links waiting for its turn take
	// none.
	Concurrency int
	// MaxPerSweep caps the links one sweep takes (DefaultMaxPerSweep).
	MaxPerSweep int
	// SweepEvery is how often the periodic sweep runs (DefaultSweepEvery).
	SweepEvery time.Duration
	Metrics    *Metrics
	Logger     *slog.Logger
	NowFunc    func() time.Time
}

// Checker checks links politely and records what it finds on the items.
type Checker struct {
	p      Params
	probe  *prober
	hosts  *hosts
	policy item.LinkPolicy
}

// New returns a Checker with p, zero fields replaced by defaults.
func New(p Params) *Checker {
	if p.Interval <= 0 {
		p.Interval = DefaultInterval
	}
	if p.ConfirmAfter <= 0 {
		p.ConfirmAfter = DefaultConfirmAfter
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.HostInterval <= 0 {
		p.HostInterval = DefaultHostInterval
	}
	if p.Concurrency <= 0 {
		p.Concurrency = DefaultConcurrency
	}
	if p.MaxPerSweep <= 0 {
		p.MaxPerSweep = DefaultMaxPerSweep
	}
	if p.SweepEvery <= 0 {
		p.SweepEvery = DefaultSweepEvery
	}
	if p.Metrics == nil {
		p.Metrics = NewMetrics(nil)
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	hs := newHosts(p.HostInterval)
	return &Checker{p: p, probe: &prober{fetcher: enrich.NewFetcher(p.Fetch), timeout: p.Timeout, now: p.NowFunc,
		pace: hs.acquire, slots: make(chan struct{}, p.Concurrency)},
		hosts: hs,
		policy: item.LinkPolicy{Interval: p.Interval, ConfirmAfter: p.ConfirmAfter,
			Jitter: func() float64 { return 0.9 + 0.2*rand.Float64() }}}
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Checked, Deferred, Changed int
}

// budget is how many links one sweep takes: the share of all links that
// spreads one check of each over the interval (at least one, at most
// MaxPerSweep; a backlog drains at that pace, never in a burst).
func (c *Checker) budget(links int) int {
	n := int(math.Ceil(float64(links) * float64(c.p.SweepEvery) / float64(c.p.Interval)))
	return min(max(n, 1), c.p.MaxPerSweep)
}

// Sweep takes the links that are due (up to the budget) and checks them:
// hosts in parallel (at most Concurrency requests in flight), each host's
// links one at a time, its requests HostInterval apart; links of a
// backed-off host, or of a host that asked to wait, are put off without a
// check.
func (c *Checker) Sweep(ctx context.Context) (SweepResult, error) {
	now := c.p.NowFunc()
	links, due, err := c.p.Items.LinkCounts(ctx, now)
	if err != nil {
		return SweepResult{}, err
	}
	c.p.Metrics.links.Set(float64(links))
	c.p.Metrics.due.Set(float64(due))
	targets, err := c.p.Items.ClaimLinkChecks(ctx, now, c.budget(links), c.lease())
	if err != nil {
		return SweepResult{}, err
	}
	return c.Check(ctx, targets)
}

// lease is how long claimed links stay away from other sweeps: longer
// than a sweep can take.
func (c *Checker) lease() time.Duration {
	return time.Duration(c.p.MaxPerSweep)*(c.p.Timeout+c.p.HostInterval) + time.Minute
}

// Check checks the given links (see Sweep) and records the results.
func (c *Checker) Check(ctx context.Context, targets []item.LinkTarget) (SweepResult, error) {
	byHost := map[string][]item.LinkTarget{}
	var order []string
	for _, t := range targets {
		h := hostOf(t.URL)
		if _, ok := byHost[h]; !ok {
			order = append(order, h)
		}
		byHost[h] = append(byHost[h], t)
	}
	var (
		mu       sync.Mutex
		res      SweepResult
		firstErr error
		wg       sync.WaitGroup
	)
	for _, h := range order {
		wg.Go(func() {
			r, err := c.checkHost(ctx, h, byHost[h])
			mu.Lock()
			defer mu.Unlock()
			res.Checked, res.Deferred, res.Changed = res.Checked+r.Checked, res.Deferred+r.Deferred, res.Changed+r.Changed
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	c.p.Metrics.backedOff.Set(float64(c.hosts.backedOffCount(c.p.NowFunc())))
	return res, firstErr
}

// checkHost checks one host's links in turn (each request waits for the
// host's turn: see hosts.acquire).
func (c *Checker) checkHost(ctx context.Context, host string, ts []item.LinkTarget) (SweepResult, error) {
	var res SweepResult
	for _, t := range ts {
		if until, off := c.hosts.backedOff(host, c.p.NowFunc()); off {
			if err := c.p.Items.DeferLinkCheck(ctx, t.ItemID, until.Add(c.spread())); err != nil {
				return res, err
			}
			c.p.Metrics.deferred.WithLabelValues("backed_off").Inc()
			res.Deferred++
			continue
		}
		start := time.Now()
		p := c.probe.check(ctx, t.URL, t.ETag, t.LastModified)
		c.p.Metrics.duration.Observe(time.Since(start).Seconds())
		if ctx.Err() != nil {
			return res, ctx.Err() // cut short by shutdown: not the link's fault
		}
		c.hosts.observe(host, p, c.p.NowFunc())
		if p.Throttled {
			wait := max(p.RetryAfter, c.p.HostInterval)
			if err := c.p.Items.DeferLinkCheck(ctx, t.ItemID, c.p.NowFunc().Add(wait)); err != nil {
				return res, err
			}
			c.p.Metrics.deferred.WithLabelValues("throttled").Inc()
			res.Deferred++
			continue
		}
		changed, err := c.p.Items.RecordLinkCheck(ctx, t, p.LinkObservation, c.policy)
		if err != nil {
			return res, fmt.Errorf("check %s: %w", t.ItemID, err)
		}
		c.p.Metrics.checks.WithLabelValues(string(p.Status)).Inc()
		res.Checked++
		if changed {
			c.p.Metrics.changes.Inc()
			res.Changed++
			c.p.Logger.InfoContext(ctx, "link status changed", slog.String("item_id", t.ItemID.String()),
				slog.String("status", string(p.Status)))
		}
	}
	return res, nil
}

// spread is a few minutes of jitter, so that a backed-off host's links do
// not all come back at once.
func (c *Checker) spread() time.Duration {
	return time.Duration(rand.Int64N(int64(5 * time.Minute)))
}

// hostOf is the host a URL's requests go to (lower-case, with the port).
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Host)
	}
	return raw
}
