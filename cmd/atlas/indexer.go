package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/search"
)

// indexer runs the search indexer until ctx ends.
func indexer(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	es, err := search.NewIndexFromConfig(cfg)
	if err != nil {
		return err
	}
	po := newProcessOps(log, pool)
	po.ready.Add(ops.KafkaCheck(cfg.KafkaBrokers, kafkaSecurity(cfg)), ops.ElasticsearchCheck(es))
	if _, err := po.listen(cfg, "indexer"); err != nil {
		return err
	}
	defer po.stop()
	return runIndexer(ctx, cfg, log, pool, ops.NewConsumerMetrics(po.reg))
}

// runIndexer ensures the Kafka topics and the search index exist (waiting
// for Elasticsearch if it is not up yet), then keeps the index in step with
// the events topic (consumer group atlas-indexer) until ctx ends, recording
// its batches and lag on metrics (nil: none). `atlas dev` runs it beside the
// other processes.
func runIndexer(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, metrics *ops.ConsumerMetrics) error {
	if err := broker.EnsureTopics(ctx, cfg.KafkaBrokers, kafkaSecurity(cfg),
		broker.TopicSpec{Name: cfg.KafkaEventsTopic}, broker.TopicSpec{Name: cfg.KafkaDLQTopic}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("kafka topics: %w", err)
	}
	index, err := search.NewIndexFromConfig(cfg)
	if err != nil {
		return err
	}
	if err := waitForIndex(ctx, log, index); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	syncer, err := search.NewSyncer(search.SyncerParams{DB: pool, Index: index, Logger: log})
	if err != nil {
		return err
	}
	c, err := search.NewIndexer(consumerConfig(cfg, log, search.GroupID), syncer,
		func(h broker.BatchHandler) broker.BatchHandler { return metrics.WrapHandler("indexer", h) })
	if err != nil {
		return err
	}
	log.Info("indexer started", slog.String("elasticsearch", cfg.ElasticsearchURL),
		slog.String("alias", index.Alias()), slog.String("topic", cfg.KafkaEventsTopic))
	defer metrics.RegisterLag("indexer", c)()
	return c.Run(ctx)
}

// waitForIndex waits until Elasticsearch answers, with capped backoff, and
// creates the index if it does not exist yet.
func waitForIndex(ctx context.Context, log *slog.Logger, index *search.Index) error {
	return retry.Backoff{Base: 500 * time.Millisecond, Max: 15 * time.Second}.Do(ctx, 0, func(attempt int) error {
		err := index.Ready(ctx)
		if err == nil {
			err = index.EnsureIndex(ctx)
		}
		switch {
		case err == nil:
		case attempt == 1 && errors.Is(err, search.ErrMisconfigured):
			log.Error(searchMisconfigured, slog.Any("error", err))
		case attempt == 1 || attempt%10 == 0:
			log.Warn("waiting for Elasticsearch", slog.Int("attempt", attempt), slog.Any("error", err))
		}
		return err
	})
}

// searchMisconfigured is the one line a process logs at start-up when Elasticsearch refuses its
// credentials or its certificate is not trusted: retrying cannot fix that, an operator must.
const searchMisconfigured = "Elasticsearch refuses Atlas' connection: check ATLAS_ELASTICSEARCH_URL, " +
	"ATLAS_ELASTICSEARCH_USERNAME and _PASSWORD or _API_KEY, and ATLAS_ELASTICSEARCH_CA_FILE"

// probeSearch checks once, at the start of a process that reads or writes the index without
// waiting for it (serve, worker), that Elasticsearch accepts the connection, and logs one line
// when it does not. The process starts either way: search requests and reindex jobs fail (and
// are retried) until Elasticsearch is reachable.
func probeSearch(ctx context.Context, log *slog.Logger, index *search.Index) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch err := index.Ready(ctx); {
	case err == nil:
	case errors.Is(err, search.ErrMisconfigured):
		log.Error(searchMisconfigured, slog.Any("error", err))
	default:
		log.Warn("Elasticsearch is not reachable yet; search answers 503 until it is", slog.Any("error", err))
	}
}
