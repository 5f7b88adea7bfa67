package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
)

// worker drains the outbox to Kafka and runs River's background jobs until
// ctx ends, then lets running jobs finish.
func worker(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	po := newProcessOps(log, pool)
	po.ready.Add(ops.KafkaCheck(cfg.KafkaBrokers, kafkaSecurity(cfg)))
	if _, err := po.listen(cfg, "worker"); err != nil {
		return err
	}
	defer po.stop()
	stop, err := startWorker(ctx, cfg, log, pool, po.reg, nil)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return stop()
}

// startWorker ensures the Kafka topics exist, then starts the outbox
// drainer and the River worker client, recording their work on reg. The
// returned stop function stops both (River's jobs get up to 30 s) and
// flushes the producer. svc are the domain services the job handlers work
// through (nil: build them; `atlas dev` passes the API's).
func startWorker(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, reg prometheus.Registerer, svc *app.Services) (func() error, error) {
	if err := broker.EnsureTopics(ctx, cfg.KafkaBrokers, kafkaSecurity(cfg),
		broker.TopicSpec{Name: cfg.KafkaEventsTopic}, broker.TopicSpec{Name: cfg.KafkaDLQTopic}); err != nil {
		return nil, fmt.Errorf("kafka topics: %w", err)
	}
	// The job handlers work through the same domain services as the API,
	// without its HTTP server.
	if svc == nil {
		var err error
		if svc, err = app.NewServices(app.Params{Config: cfg, Pool: pool, Logger: log, Version: version}); err != nil {
			return nil, err
		}
		probeSearch(ctx, log, svc.SearchIndex)
	}
	// REINDEX_ITEM goes through the same path as the indexer's updates.
	syncer, err := search.NewSyncer(search.SyncerParams{DB: pool, Index: svc.SearchIndex, Logger: log})
	if err != nil {
		return nil, err
	}
	register := jobs.Register(jobs.HandlerParams{Pool: pool, Items: svc.Items, Indexer: syncer,
		Fetch: enrich.FetcherOpts{TotalTimeout: cfg.EnrichTimeout, ConnectTimeout: cfg.EnrichConnectTimeout},
	})
	register, periodic, err := withReconcile(cfg, log, pool, syncer, reg, register)
	if err != nil {
		return nil, err
	}
	producer, err := broker.NewProducer(broker.ProducerConfig{Brokers: cfg.KafkaBrokers, Security: kafkaSecurity(cfg), Topic: cfg.KafkaEventsTopic, Logger: log})
	if err != nil {
		return nil, err
	}
	client, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: pool, Logger: log, Register: register, PeriodicJobs: periodic,
		BulkWorkers:          cfg.ImportEnrichWorkers,
		RescueStuckJobsAfter: max(jobs.DefaultRescueStuckJobsAfter, 2*cfg.EnrichTimeout)})
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
	drainer := events.NewDrainer(events.DrainerParams{Pool: pool, Logger: log,
		Publisher: ops.NewPublisherMetrics(reg).Wrap(producer)})
	drainCtx, stopDrain := context.WithCancel(context.WithoutCancel(ctx))
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_ = drainer.Run(drainCtx)
	}()
	log.Info("worker started", slog.String("kafka", cfg.KafkaBrokers), slog.String("topic", cfg.KafkaEventsTopic))
	return func() error {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := client.Stop(stopCtx)
		stopJobMetrics()
		stopDrain() // a drain under way finishes its batch first
		<-drained
		producer.Close()
		log.Info("worker stopped")
		return err
	}, nil
}
