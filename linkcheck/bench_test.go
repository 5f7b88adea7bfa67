package linkcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/linkcheck"
	"github.com/atlasapp/atlas/testfactory"
)

// envInt reads a positive integer knob of the benchmark, def when unset.
func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, name)
	require.Positive(b, n, name)
	return n
}

// seedLinksSQL stores $4 items in collection $1, item g holding the link
// http://h<g mod $2>.farm.test:<port>/p/<g>, the port that of the host's
// listener ($3, by host number mod its length).
const seedLinksSQL = `
INSERT INTO items (id, collection_id, title, source_url, version, created_at, updated_at)
SELECT gen_random_uuid(), $1, 'Link ' || g,
       'http://h' || lpad((g % $2)::text, 4, '0') || '.farm.test:' || ($3::int[])[1 + (g % $2) % cardinality($3::int[])] || '/p/' || g,
       1, now() - g * interval '1 second', now()
FROM generate_series(1, $4) AS g`

const benchWriters = 16

// writeLoad runs the write benchmark's API phase (POST
// /collections/{id}/items with the outbox, benchWriters clients; see
// api.BenchmarkItemCreateThroughput) for d, counting the writes in n, and
// returns writes/s.
func writeLoad(b *testing.B, env *apitest.Env, token, path string, d time.Duration, n *atomic.Int64) float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	body := map[string]any{"title": "Through the API", "tags": []string{"go", "databases", "reading"}}
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range benchWriters {
		wg.Go(func() {
			for ctx.Err() == nil {
				resp, err := env.Send(http.MethodPost, path, token, body)
				if err == nil && resp.Status != http.StatusCreated {
					err = fmt.Errorf("status %d: %s", resp.Status, resp.Body)
				}
				if err != nil {
					if ctx.Err() == nil {
						failed.Store(err)
					}
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatalf("write failed: %v", err)
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}

// span is a time interval.
type span struct{ from, to time.Time }

// splitRates reads per-second write counts (counts[i] is the running
// total at start+i s) and returns the mean writes/s over the seconds that
// lie wholly inside one of busy and over those that touch none of them.
// Seconds that straddle an edge count for neither.
func splitRates(start time.Time, counts []int64, busy []span) (during, idle float64, duringSecs, idleSecs int) {
	var dn, in int64
	for i := 1; i < len(counts); i++ {
		from, to := start.Add(time.Duration(i-1)*time.Second), start.Add(time.Duration(i)*time.Second)
		inside, touches := false, false
		for _, s := range busy {
			inside = inside || (!from.Before(s.from) && !to.After(s.to))
			touches = touches || (from.Before(s.to) && to.After(s.from))
		}
		switch {
		case inside:
			dn += counts[i] - counts[i-1]
			duringSecs++
		case !touches:
			in += counts[i] - counts[i-1]
			idleSecs++
		}
	}
	return float64(dn) / float64(max(duringSecs, 1)), float64(in) / float64(max(idleSecs, 1)), duringSecs, idleSecs
}

// BenchmarkLinkCheck_100kLinksOn1000Hosts runs the link checker over a
// library of ATLAS_BENCH_LINKS links (100,000) on ATLAS_BENCH_HOSTS hosts
// (1,000) of a local farm of real HTTP servers with Internet-like
// latencies, at a configured rate of ATLAS_BENCH_LINKCHECK_RATE links/s
// (100): its interval is set so that each sweep's share is rate × 1 min.
// It runs ATLAS_BENCH_SWEEPS sweeps (2) a minute apart, as the periodic
// job does, with the production per-host limits (one request at a time,
// ATLAS_LINKCHECK_HOST_INTERVAL's default of 1 s apart) and a
// Concurrency of ATLAS_BENCH_LINKCHECK_CONCURRENCY (64).
//
// Reported: links checked per second over the sweeps' minutes against the
// configured rate, the longest sweep (more than a minute: the checker
// falls behind), what the busiest host saw, counted by the farm (requests
// in flight at once, shortest gap between two requests, requests per
// second over 10 s windows) against the limits, and the write benchmark's
// rate while a sweep is under way against its rate in the seconds when
// none is (write_ratio, target ≥ 0.95). The write load runs without a
// break from ATLAS_BENCH_IDLE_SECONDS (30) before the first sweep to as
// long after the last; a sweep takes part of its minute, so the busy and
// the idle seconds interleave and a drift of the machine or of the
// growing table weighs on both alike. The checker has a pool of its own on
// the same database, as a worker process would. (The package's TestMain fails the run if any
// goroutine outlives it.)
func BenchmarkLinkCheck_100kLinksOn1000Hosts(b *testing.B) {
	links := envInt(b, "ATLAS_BENCH_LINKS", 100_000)
	hosts := envInt(b, "ATLAS_BENCH_HOSTS", 1000)
	rate := envInt(b, "ATLAS_BENCH_LINKCHECK_RATE", 100)
	sweeps := envInt(b, "ATLAS_BENCH_SWEEPS", 2)
	concurrency := envInt(b, "ATLAS_BENCH_LINKCHECK_CONCURRENCY", 64)
	idle := time.Duration(envInt(b, "ATLAS_BENCH_IDLE_SECONDS", 30)) * time.Second
	ctx := context.Background()
	for range b.N {
		env := apitest.New(b, apitest.Opts{MaxConns: benchWriters + 4})
		owner := env.NewUser(b)
		library, writes := env.NewCollection(b, owner), env.NewCollection(b, owner)
		f := newFarm(b, hosts)
		_, err := env.Pool.Exec(ctx, seedLinksSQL, library.ID, hosts, f.ports, links)
		require.NoError(b, err)
		_, err = env.Pool.Exec(ctx, `ANALYZE items`)
		require.NoError(b, err)

		// The worker: a pool and services of its own on the same database.
		cfg := env.Pool.Config().Copy()
		cfg.MaxConns = env.Config.DBMaxConns
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(b, err)
		b.Cleanup(pool.Close)
		worker := testfactory.On(b, pool, env.Config, testfactory.Opts{})
		checker := linkcheck.New(linkcheck.Params{Items: worker.Items,
			Fetch:    enrich.FetcherOpts{AllowLoopback: true, ResolveFunc: f.resolve},
			Interval: time.Duration(links/rate) * time.Second, MaxPerSweep: rate * int(linkcheck.DefaultSweepEvery/time.Second),
			Concurrency: concurrency})

		path := "/api/v1/collections/" + writes.ID.String() + "/items"
		b.ResetTimer()
		// The write load without a break, its running count sampled every
		// second; the sweeps, a minute apart (the next at once if one
		// overran), start after the first idle stretch.
		var written atomic.Int64
		total := idle + time.Duration(sweeps)*linkcheck.DefaultSweepEvery + idle
		start := time.Now()
		counts := []int64{0}
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for range tick.C {
				counts = append(counts, written.Load())
				if time.Since(start) >= total {
					return
				}
			}
		}()
		var checked, deferred int
		var longest time.Duration
		var busy []span
		sweepStart := start.Add(idle)
		swept := make(chan error, 1)
		go func() {
			for i := range sweeps {
				if wait := time.Until(sweepStart.Add(time.Duration(i) * linkcheck.DefaultSweepEvery)); wait > 0 {
					time.Sleep(wait)
				}
				t := time.Now()
				res, err := checker.Sweep(ctx)
				if err != nil {
					swept <- err
					return
				}
				busy = append(busy, span{t, time.Now()})
				longest = max(longest, time.Since(t))
				checked, deferred = checked+res.Checked, deferred+res.Deferred
			}
			swept <- nil
		}()
		overall := writeLoad(b, env, owner.Token, path, total, &written)
		require.NoError(b, <-swept)
		<-sampled
		elapsed := max(busy[len(busy)-1].to.Sub(sweepStart), time.Duration(sweeps)*linkcheck.DefaultSweepEvery)
		during, idleRate, duringSecs, idleSecs := splitRates(start, counts, busy)
		b.StopTimer()

		st := f.stats(10 * time.Second)
		f.close()
		var unreachable int
		require.NoError(b, env.Pool.QueryRow(ctx, `SELECT count(*) FROM item_link_history WHERE status = 'unreachable'`).Scan(&unreachable))

		b.ReportMetric(float64(links), "links")
		b.ReportMetric(float64(st.hosts), "hosts_asked")
		b.ReportMetric(float64(rate), "configured_links/s")
		b.ReportMetric(float64(checked)/elapsed.Seconds(), "checked_links/s")
		b.ReportMetric(float64(deferred), "deferred")
		b.ReportMetric(float64(unreachable), "unreachable")
		b.ReportMetric(longest.Seconds(), "longest_sweep_s")
		b.ReportMetric(float64(st.requests)/float64(max(checked, 1)), "requests/link")
		b.ReportMetric(float64(st.maxInFlight), "host_max_in_flight")
		b.ReportMetric(float64(st.minGap.Milliseconds()), "host_min_gap_ms")
		b.ReportMetric(st.maxRate, "host_max_req/s")
		b.ReportMetric(idleRate, "writes/s_idle")
		b.ReportMetric(during, "writes/s_checking")
		b.ReportMetric(during/idleRate, "write_ratio")
		b.ReportMetric(overall, "writes/s_overall")
		b.Logf("links %d on %d hosts, configured %d links/s: checked %d (%.1f/s, longest sweep %s, %d deferred, %d unreachable); "+
			"busiest host: %d in flight, %s apart at least, %.2f req/s (limits: 1, %s, %.2f); writes %.0f/s in %d s without a sweep, %.0f/s in %d s of sweeps: %.3f (%.0f/s overall)",
			links, hosts, rate, checked, float64(checked)/elapsed.Seconds(), longest.Round(time.Millisecond), deferred, unreachable,
			st.maxInFlight, st.minGap, st.maxRate, linkcheck.DefaultHostInterval, 1/linkcheck.DefaultHostInterval.Seconds(),
			idleRate, idleSecs, during, duringSecs, during/idleRate, overall)
	}
}
