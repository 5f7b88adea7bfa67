package main

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/webhook"
)

// withWebhooks adds the webhook delivery and cleanup workers to register,
// their queue and the cleanup's schedule: `atlas worker` delivers webhooks.
func withWebhooks(p *proc, core *app.Core, register func(*river.Workers) error) (func(*river.Workers) error, map[string]river.QueueConfig, *river.PeriodicJob, error) {
	dp, err := params.WebhookDelivery(p.cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	dp.Pool, dp.Collections, dp.Logger, dp.Recorder = p.pool, core.Collections, p.log, core.Recorder()
	if p.cfg.EmailOn() {
		dp.Mail = mail.NewQueue(core.River) // owners are emailed when Atlas disables their endpoint
	}
	hooks := webhook.Register(dp, p.cfg.WebhookRetention)
	both := func(ws *river.Workers) error {
		if err := register(ws); err != nil {
			return err
		}
		return hooks(ws)
	}
	return both, map[string]river.QueueConfig{webhook.Queue: {MaxWorkers: webhook.Workers}}, webhook.CleanupPeriodicJob(), nil
}

// startWebhookDispatcher runs the webhook dispatcher (consumer group
// atlas-webhooks) in the background of `atlas worker`; the returned
// function stops it and waits. Deliveries are enqueued through core's River
// client and worked by the process's River workers.
func (p *proc) startWebhookDispatcher(ctx context.Context, core *app.Core) (func(), error) {
	c, unregister, err := subscribe(p, webhook.GroupID, "webhooks", webhook.NewDispatcher(p.pool, core.River).Handle, p.consumers())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := c.Run(ctx); err != nil {
			p.log.Error("webhook dispatcher stopped", slog.Any("error", err))
		}
	}()
	return func() {
		cancel()
		<-done
		unregister()
	}, nil
}
