package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/testfactory"
)

// Run with, for example:
//
//	go test ./jobs -run '^$' -bench . -benchtime 3000x
//
// BenchmarkNoopJobs measures jobs/s for b.N no-op jobs, with one and two
// worker clients (processes) on one database, in three set-ups:
//
//   - river: River alone, a plain job kind and worker;
//   - rows: River alone working Atlas' REINDEX_ITEM rows (unique by item,
//     covered by the jobs API's partial indexes) with a bare worker;
//   - atlas: everything Atlas adds, NewWorkerClient (logging middleware,
//     rescue settings) and REINDEX_ITEM's worker (timeout, backoff,
//     failure handling) with a no-op indexer.
//
// Each client has its own pool and the same queue settings (10 workers,
// 2 ms fetch cooldown). The set-ups run interleaved, noopRounds times each
// on a fresh database, so that load from elsewhere on the machine hits them
// alike; the medians are reported, with Atlas' cost relative to River alone
// (atlas-cost-%) and to River on Atlas' rows (atlas-code-cost-%). ns/op
// includes the set-up and means nothing here.
func BenchmarkNoopJobs(b *testing.B) {
	setups := []struct {
		name   string
		start  startFunc
		insert insertFunc
	}{
		{"river", startRiverClient, insertRiverNoop},
		{"rows", startRiverReindexClient, insertAtlasNoop},
		{"atlas", startAtlasClient, insertAtlasNoop},
	}
	for _, clients := range []int{1, 2} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			rates := make([][]float64, len(setups))
			for range noopRounds {
				for i, s := range setups {
					rates[i] = append(rates[i], runNoop(b, clients, b.N, s.start, s.insert))
				}
			}
			med := make([]float64, len(setups))
			for i, s := range setups {
				med[i] = median(rates[i])
				b.ReportMetric(med[i], s.name+"-jobs/s")
			}
			b.ReportMetric(100*(1-med[2]/med[0]), "atlas-cost-%")
			b.ReportMetric(100*(1-med[2]/med[1]), "atlas-code-cost-%")
		})
	}
}

// noopRounds is how many times each set-up runs per benchmark.
const noopRounds = 5

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

type (
	startFunc  func(b *testing.B, pool *pgxpool.Pool) *river.Client[pgx.Tx]
	insertFunc func(b *testing.B, c *river.Client[pgx.Tx], tx pgx.Tx, n int)
)

// runNoop starts clients worker clients on a fresh database, inserts n jobs
// in one transaction and returns how many per second completed, counted
// from the commit.
func runNoop(b *testing.B, clients, n int, start startFunc, insert insertFunc) float64 {
	url := dbtest.URL(b)
	var (
		workers []*river.Client[pgx.Tx]
		pools   []*pgxpool.Pool
	)
	completed := make(chan struct{}, n)
	for range clients {
		pool, err := db.Open(context.Background(), db.PoolParams{URL: url, MaxConns: 20})
		require.NoError(b, err)
		pools = append(pools, pool)
		c := start(b, pool)
		// River drops events a subscriber is too slow for: room for all.
		events, cancel := c.SubscribeConfig(&river.SubscribeConfig{ChanSize: n + 1, Kinds: []river.EventKind{river.EventKindJobCompleted}})
		defer cancel()
		go func() {
			for range events {
				completed <- struct{}{}
			}
		}()
		workers = append(workers, c)
	}
	pool, err := db.Open(context.Background(), db.PoolParams{URL: url})
	require.NoError(b, err)
	pools = append(pools, pool)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, c := range workers {
			_ = c.Stop(ctx)
		}
		for _, p := range pools {
			p.Close()
		}
	}()

	require.NoError(b, db.InTx(context.Background(), pool, func(tx pgx.Tx) error {
		insert(b, workers[0], tx, n)
		return nil
	}))
	began := time.Now() // the jobs become visible at commit
	deadline := time.After(2 * time.Minute)
	for range n {
		select {
		case <-completed:
		case <-deadline:
			b.Fatal("jobs did not complete within 2 minutes")
		}
	}
	return float64(n) / time.Since(began).Seconds()
}

// noopArgs is the baseline's job: River without Atlas.
type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// bareReindexWorker works REINDEX_ITEM rows without any of Atlas' code.
type bareReindexWorker struct {
	river.WorkerDefaults[jobs.ReindexItemArgs]
}

func (bareReindexWorker) Work(context.Context, *river.Job[jobs.ReindexItemArgs]) error { return nil }

func startRiverClient(b *testing.B, pool *pgxpool.Pool) *river.Client[pgx.Tx] {
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	return startPlainClient(b, pool, workers)
}

func startRiverReindexClient(b *testing.B, pool *pgxpool.Pool) *river.Client[pgx.Tx] {
	workers := river.NewWorkers()
	river.AddWorker(workers, bareReindexWorker{})
	return startPlainClient(b, pool, workers)
}

func startPlainClient(b *testing.B, pool *pgxpool.Pool, workers *river.Workers) *river.Client[pgx.Tx] {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Workers:       workers,
		FetchCooldown: 2 * time.Millisecond,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}},
	})
	require.NoError(b, err)
	return startClient(b, c)
}

func insertRiverNoop(b *testing.B, c *river.Client[pgx.Tx], tx pgx.Tx, n int) {
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{N: i}}
	}
	_, err := c.InsertManyFastTx(context.Background(), tx, params)
	require.NoError(b, err)
}

func startAtlasClient(b *testing.B, pool *pgxpool.Pool) *river.Client[pgx.Tx] {
	noop := indexerFunc(func(context.Context, uuid.UUID) error { return nil })
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: pool, DefaultWorkers: 10,
		Register: jobs.Register(jobs.HandlerParams{Pool: pool, Indexer: noop})})
	require.NoError(b, err)
	return startClient(b, c)
}

func insertAtlasNoop(b *testing.B, c *river.Client[pgx.Tx], tx pgx.Tx, n int) {
	params := make([]river.InsertManyParams, n)
	collection := uuid.New()
	for i := range params {
		params[i] = river.InsertManyParams{Args: jobs.ReindexItemArgs{ItemRef: jobs.ItemRef{ItemID: uuid.New(), CollectionID: collection}}}
	}
	_, err := c.InsertManyFastTx(context.Background(), tx, params)
	require.NoError(b, err)
}

// startClient starts c; it is stopped when the benchmark ends (Stop is
// idempotent, so callers may stop it earlier).
func startClient(b *testing.B, c *river.Client[pgx.Tx]) *river.Client[pgx.Tx] {
	require.NoError(b, c.Start(context.Background()))
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

// BenchmarkEnrichURL reports enrichments/s: ENRICH_URL jobs that fetch a
// small page from a local server and store its metadata on the item (one
// transaction with the ItemUpdated outbox row), with one worker client of
// 10 workers.
func BenchmarkEnrichURL(b *testing.B) {
	env := testfactory.New(b)
	owner := env.NewUser(b)
	c := env.NewCollection(b, owner)
	srv := serve(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<html lang="en"><head><title>Page %s</title>
<meta property="og:description" content="A page for the benchmark">
<meta property="og:site_name" content="Bench"><meta property="og:image" content="/i.png">
</head><body><p>Text</p></body></html>`, r.URL.Path)
	})
	ids := make([]uuid.UUID, b.N)
	for i := range ids {
		it, err := env.Items.Create(context.Background(), owner.ID, c.ID,
			item.CreateParams{Title: "Bench", SourceURL: fmt.Sprintf("%s/p/%d", srv.URL, i)})
		require.NoError(b, err)
		ids[i] = it.ID
	}

	client, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: env.Pool, DefaultWorkers: 10,
		Register: jobs.Register(jobs.HandlerParams{Pool: env.Pool, Items: env.Items,
			Fetch: enrich.FetcherOpts{AllowLoopback: true}})}) // test-only: the server is on loopback
	require.NoError(b, err)
	done, cancel := client.SubscribeConfig(&river.SubscribeConfig{ChanSize: b.N + 1,
		Kinds: []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled}})
	defer cancel()

	b.ResetTimer()
	began := time.Now()
	startClient(b, client)
	deadline := time.After(5 * time.Minute)
	for range b.N {
		select {
		case ev := <-done:
			if ev.Kind != river.EventKindJobCompleted {
				b.Fatalf("job %d: %s: %v", ev.Job.ID, ev.Kind, ev.Job.Errors)
			}
		case <-deadline:
			b.Fatal("enrichment did not complete within 5 minutes")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "enrichments/s")
}
