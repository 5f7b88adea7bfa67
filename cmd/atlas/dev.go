package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/ops"
)

// newDev builds `atlas dev`: every Atlas process in one, for a laptop
// (production runs each subcommand as its own process). It migrates, then
// runs the API, the worker and the consumers on one start-up: one pool, one
// Kafka check and topic creation, one search index and syncer, and the
// worker's job handlers run through the API's services.
func newDev(ctx context.Context, cfg config.Config, log *slog.Logger) (*proc, error) {
	p, err := startProcess(ctx, cfg, log, "dev", needs{migrate: true, kafka: true, index: true, indexReady: true})
	if err != nil {
		return nil, err
	}
	a, err := p.newAPI(ctx)
	if err != nil {
		return p.fail(err)
	}
	stopWorker, err := p.startWorker(ctx, &a.Core)
	if err != nil {
		return p.fail(err)
	}
	stopWorker = p.stopOnce(stopWorker)
	p.run = func(ctx context.Context) error {
		stopConsumers := p.startConsumers(ctx, p.consumers())
		httpErr := runHTTP(ctx, log, cfg.HTTPAddr, cfg.ShutdownDelay, a.Server)
		return errors.Join(httpErr, stopWorker(), stopConsumers())
	}
	return p, nil
}

// startConsumers runs the Kafka consumers (the audit consumer and the search
// indexer) in the background; the returned function stops them and waits.
// A consumer that fails is logged; the rest of dev keeps running.
func (p *proc) startConsumers(ctx context.Context, metrics *ops.ConsumerMetrics) func() error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context, *ops.ConsumerMetrics) error{
		"audit-consumer": p.runAuditConsumer,
		"indexer":        p.runIndexer,
	} {
		wg.Go(func() {
			if err := run(ctx, metrics); err != nil {
				p.log.Error("consumer stopped", slog.String("consumer", name), slog.Any("error", err))
			}
		})
	}
	return func() error {
		cancel()
		wg.Wait()
		return nil
	}
}
