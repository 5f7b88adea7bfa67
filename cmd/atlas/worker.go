package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/ops"
)

// newWorker builds `atlas worker`: the outbox drainer and River's
// background jobs, whose handlers run through the Core services (no
// accounts, tokens, audit or search queries: no JWT secret). It runs until
// ctx ends, then lets running jobs finish.
func newWorker(ctx context.Context, cfg config.Config, log *slog.Logger) (*proc, error) {
	p, err := startProcess(ctx, cfg, log, "worker", needs{kafka: true, index: true})
	if err != nil {
		return nil, err
	}
	core, err := app.NewCore(app.Params{Config: cfg, Pool: p.pool, Logger: log, Version: version})
	if err != nil {
		return p.fail(err)
	}
	probeSearch(ctx, log, p.index)
	stop, err := p.startWorker(ctx, core)
	if err != nil {
		return p.fail(err)
	}
	stop = p.stopOnce(stop)
	p.run = func(ctx context.Context) error {
		<-ctx.Done()
		return stop()
	}
	return p, nil
}

// startWorker starts the outbox drainer and the River worker client of the
// process, recording their work on its registry; the job handlers work
// through core (`atlas dev` passes the API's). The returned stop function
// stops both (River's jobs get up to 30 s) and flushes the producer.
func (p *proc) startWorker(ctx context.Context, core *app.Core) (func() error, error) {
	cfg, log, pool, reg := p.cfg, p.log, p.pool, p.ops.reg
	// REINDEX_ITEM goes through the same path as the indexer's updates.
	syncer, err := p.searchSyncer()
	if err != nil {
		return nil, err
	}
	fetch, err := params.Fetcher(cfg)
	if err != nil {
		return nil, err
	}
	register := jobs.Register(jobs.HandlerParams{Pool: pool, Items: core.Items, Indexer: syncer, Fetch: fetch, Archive: core.Archive})
	if register, err = withMail(cfg, pool, register); err != nil {
		return nil, err
	}
	register, periodic, err := withReconcile(cfg, log, pool, syncer, core.Archive, reg, register)
	if err != nil {
		return nil, err
	}
	register, queues, cleanup, err := withWebhooks(p, core, register)
	if err != nil {
		return nil, err
	}
	if register, periodic, err = withLinkCheck(cfg, log, core, reg, register, periodic); err != nil {
		return nil, err
	}
	producer, err := broker.NewProducer(broker.ProducerConfig{Brokers: p.kafka.Brokers, Security: p.kafka.Security, Topic: cfg.KafkaEventsTopic, Logger: log})
	if err != nil {
		return nil, err
	}
	wp := params.JobWorker(cfg)
	wp.Pool, wp.Logger, wp.Register, wp.PeriodicJobs, wp.Queues = pool, log, register, append(periodic, cleanup), queues
	client, err := jobs.NewWorkerClient(wp)
	if err != nil {
		producer.Close()
		return nil, err
	}
	reg.MustRegister(ops.NewRiverQueueCollector(pool, ops.RiverQueueOpts{}), ops.NewOutboxCollector(pool))
	stopJobMetrics := ops.NewRiverJobMetrics(reg).Watch(client, log)
	if err := client.Start(ctx); err != nil {
		stopJobMetrics()
		producer.Close()
		return nil, fmt.Errorf("start river: %w", err)
	}
	stopDispatcher, err := p.startWebhookDispatcher(ctx, core)
	if err != nil {
		stopJobMetrics()
		producer.Close()
		_ = client.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	stopArchive := p.startArchiveConsumer(ctx, core.Archive)
	drainer := events.NewDrainer(events.DrainerParams{Pool: pool, Logger: log,
		Publisher: ops.NewPublisherMetrics(reg).Wrap(producer)})
	drainCtx, stopDrain := context.WithCancel(context.WithoutCancel(ctx))
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_ = drainer.Run(drainCtx)
	}()
	log.Info("worker started", slog.String("kafka", cfg.KafkaBrokers), slog.String("topic", cfg.KafkaEventsTopic),
		slog.Bool("email", cfg.EmailOn()))
	return func() error {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stopDispatcher() // no new deliveries while River finishes the running ones
		err := client.Stop(stopCtx)
		stopJobMetrics()
		stopDrain() // a drain under way finishes its batch first
		<-drained
		stopArchive()
		producer.Close()
		log.Info("worker stopped")
		return err
	}, nil
}

// withMail adds the SEND_EMAIL worker to register when email is on.
func withMail(cfg config.Config, pool *pgxpool.Pool, register func(*river.Workers) error) (func(*river.Workers) error, error) {
	if !cfg.EmailOn() {
		return register, nil
	}
	w, err := params.MailWorker(cfg, pool, nil)
	if err != nil {
		return nil, err
	}
	return func(ws *river.Workers) error {
		if err := register(ws); err != nil {
			return err
		}
		return w.Register(ws)
	}, nil
}

// startArchiveConsumer runs the archive's event consumer (group
// atlas-archive: the copies of deleted items and collections leave the blob
// store) in the background when archiving is on; the returned function stops
// it and waits. A consumer that fails is logged; the worker keeps running
// and `atlas reconcile` removes what it missed.
func (p *proc) startArchiveConsumer(ctx context.Context, a *archive.Service) func() {
	if a == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, unregister, err := subscribe(p, archive.GroupID, "archive", a.Handle, ops.NewConsumerMetrics(prometheus.NewRegistry()))
		if err != nil {
			p.log.Error("archive consumer did not start", slog.Any("error", err))
			return
		}
		defer unregister()
		if err := c.Run(ctx); err != nil {
			p.log.Error("archive consumer stopped", slog.Any("error", err))
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
