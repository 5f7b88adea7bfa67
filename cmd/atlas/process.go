package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
)

// needs says what a long-running process uses besides Postgres, so its
// start-up opens that and nothing else.
type needs struct {
	// migrate runs the migrations first (`atlas dev`).
	migrate bool
	// kafka: a Kafka client. The start-up adds the kafka readiness check
	// and creates the events and dead-letter topics when missing.
	kafka bool
	// index: the search index, one per process, shared by everything in it.
	index bool
	// indexReady fails /ready while Elasticsearch does (processes that
	// cannot work without it; serve and worker only log).
	indexReady bool
}

// proc is one long-running Atlas process as its constructor built it:
// what the shared start-up opened (pool, metrics and readiness, the Kafka
// cluster's settings, the search index), what the process runs, and what to
// close when it ends.
type proc struct {
	name  string
	cfg   config.Config
	log   *slog.Logger
	pool  *pgxpool.Pool
	ops   *processOps
	kafka broker.Cluster // zero unless needs.kafka
	index *search.Index  // nil unless needs.index
	api   *app.App       // the API of serve and dev (newAPI)
	// separateOps is true when an ops listener of its own serves /health,
	// /ready and /metrics (serve and dev then answer only the first two on
	// the API's address).
	separateOps bool
	// run runs the process until ctx ends.
	run func(ctx context.Context) error

	metricsOnce     sync.Once
	consumerMetrics *ops.ConsumerMetrics

	syncerOnce sync.Once
	syncer     *search.Syncer
	syncerErr  error
	closers    []func() // run last-first by close
}

// startProcess is the start-up every long-running process shares: it
// opens the pool (and migrates, for dev), starts metrics and readiness with
// a check for each dependency the process uses, starts the ops listener,
// creates the Kafka topics and builds the search index, in that order.
// Whatever fails, what was opened is closed again.
func startProcess(ctx context.Context, cfg config.Config, log *slog.Logger, name string, n needs) (*proc, error) {
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p := &proc{name: name, cfg: cfg, log: log, pool: pool}
	p.onClose(pool.Close)
	if n.migrate {
		if err := db.Migrate(ctx, pool, log); err != nil {
			return p.fail(err)
		}
		if _, err := item.BackfillLinkKeys(ctx, pool); err != nil {
			return p.fail(err)
		}
	}
	p.ops = newProcessOps(log, pool)
	if n.index {
		if p.index, err = params.NewSearchIndex(cfg); err != nil {
			return p.fail(err)
		}
		p.onClose(p.index.Close)
		if n.indexReady {
			p.ops.ready.Add(ops.ElasticsearchCheck(p.index))
		}
	}
	if n.kafka {
		p.kafka = kafkaCluster(cfg)
		p.ops.ready.Add(ops.KafkaCheck(p.kafka))
	}
	if p.separateOps, err = p.ops.listen(cfg, name); err != nil {
		return p.fail(err)
	}
	p.onClose(p.ops.stop) // after run: probes and scrapes answer while the work drains
	if n.kafka {
		if err := p.kafka.EnsureTopics(ctx, eventTopics(cfg)...); err != nil {
			return p.fail(fmt.Errorf("kafka topics: %w", err))
		}
	}
	return p, nil
}

// onClose registers fn to run when the process closes (after what was
// registered later).
func (p *proc) onClose(fn func()) { p.closers = append(p.closers, fn) }

// close releases what the process opened, last opened first.
func (p *proc) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}

// fail closes what the process opened so far and returns err.
func (p *proc) fail(err error) (*proc, error) {
	p.close()
	return nil, err
}

// stopOnce makes stop, which run normally calls, idempotent and also runs it
// at close, so a process closed without running (its start-up failed
// further on, a test) leaves nothing running.
func (p *proc) stopOnce(stop func() error) func() error {
	var once sync.Once
	var err error
	f := func() error {
		once.Do(func() { err = stop() })
		return err
	}
	p.onClose(func() { _ = f() })
	return f
}

// consumers returns the process's one set of Kafka consumer metrics (in
// `atlas dev` the webhook dispatcher and the other consumers share it).
func (p *proc) consumers() *ops.ConsumerMetrics {
	p.metricsOnce.Do(func() { p.consumerMetrics = ops.NewConsumerMetrics(p.ops.reg) })
	return p.consumerMetrics
}

// searchSyncer returns the process's one Syncer on its index (REINDEX_ITEM
// jobs and the indexer share it in `atlas dev`).
func (p *proc) searchSyncer() (*search.Syncer, error) {
	p.syncerOnce.Do(func() {
		p.syncer, p.syncerErr = search.NewSyncer(search.SyncerParams{DB: p.pool, Index: p.index, Logger: p.log})
	})
	return p.syncer, p.syncerErr
}

// runs adapts a process constructor to a subcommand: build the process, run
// it until ctx ends, close it. A start-up cut short by ctx (SIGTERM while
// waiting for Kafka) is a clean stop.
func runs(build func(context.Context, config.Config, *slog.Logger) (*proc, error)) func(context.Context, config.Config, *slog.Logger, []string) error {
	return func(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
		p, err := build(ctx, cfg, log)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		defer p.close()
		return p.run(ctx)
	}
}
