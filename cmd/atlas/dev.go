package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
)

// dev runs every Atlas process in one: migrations, the API, the worker and
// the consumers. It is for a laptop; production runs each subcommand as
// its own process.
func dev(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
	if cfg.GeneratedJWTSecret {
		log.Warn("ATLAS_JWT_SECRET is not set: using a random secret for this development run; tokens will not survive a restart")
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, log); err != nil {
		return err
	}
	es, err := search.NewIndexFromConfig(cfg)
	if err != nil {
		return err
	}
	po := newProcessOps(log, pool)
	po.ready.Add(ops.KafkaCheck(cfg.KafkaBrokers, kafkaSecurity(cfg)), ops.ElasticsearchCheck(es))
	separate, err := po.listen(cfg, "dev")
	if err != nil {
		return err
	}
	defer po.stop()
	// One app: the worker's job handlers use the API's services.
	a, err := app.New(app.Params{Config: cfg, Pool: pool, Logger: log, Version: version, HTTPMetrics: ops.NewHTTPMetrics(po.reg)})
	if err != nil {
		return err
	}
	stopWorker, err := startWorker(ctx, cfg, log, pool, po.reg, &a.Services)
	if err != nil {
		return err
	}
	stopConsumers := startConsumers(ctx, cfg, log, pool, ops.NewConsumerMetrics(po.reg))
	if err := a.Server.StartRiverUI(ctx); err != nil {
		return errors.Join(err, stopWorker(), stopConsumers())
	}
	po.mountAPI(a.Server.Router(), !separate)
	httpErr := runHTTP(ctx, log, cfg.HTTPAddr, cfg.ShutdownDelay, a.Server)
	return errors.Join(httpErr, stopWorker(), stopConsumers())
}

// startConsumers runs the Kafka consumers (the audit consumer and the search
// indexer) in the background; the returned function stops them and waits.
// A consumer that fails is logged; the rest of dev keeps running.
func startConsumers(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, metrics *ops.ConsumerMetrics) func() error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context, config.Config, *slog.Logger, *pgxpool.Pool, *ops.ConsumerMetrics) error{
		"audit-consumer": runAuditConsumer,
		"indexer":        runIndexer,
	} {
		wg.Go(func() {
			if err := run(ctx, cfg, log, pool, metrics); err != nil {
				log.Error("consumer stopped", slog.String("consumer", name), slog.Any("error", err))
			}
		})
	}
	return func() error {
		cancel()
		wg.Wait()
		return nil
	}
}
