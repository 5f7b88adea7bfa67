package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/search"
)

// newIndexer builds `atlas indexer`: the search indexer group on the
// events topic, writing to the process's search index. It uses no JWT
// secret.
func newIndexer(ctx context.Context, cfg config.Config, log *slog.Logger) (*proc, error) {
	p, err := startProcess(ctx, cfg, log, "indexer", needs{kafka: true, index: true, indexReady: true})
	if err != nil {
		return nil, err
	}
	metrics := ops.NewConsumerMetrics(p.ops.reg)
	p.run = func(ctx context.Context) error { return p.runIndexer(ctx, metrics) }
	return p, nil
}

// runIndexer ensures the search index exists (waiting for Elasticsearch if
// it is not up yet), then keeps it in step with the events topic (consumer
// group atlas-indexer) until ctx ends, recording its batches and lag on
// metrics (nil: none). `atlas dev` runs it beside the other processes.
func (p *proc) runIndexer(ctx context.Context, metrics *ops.ConsumerMetrics) error {
	if err := waitForIndex(ctx, p.log, p.index); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	syncer, err := p.searchSyncer()
	if err != nil {
		return err
	}
	c, unregister, err := subscribe(p, search.GroupID, "indexer", syncer.Handle, metrics)
	if err != nil {
		return err
	}
	defer unregister()
	p.log.Info("indexer started", slog.String("elasticsearch", p.cfg.ElasticsearchURL),
		slog.String("alias", p.index.Alias()), slog.String("topic", p.cfg.KafkaEventsTopic))
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
