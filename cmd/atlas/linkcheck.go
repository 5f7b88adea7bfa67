package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/linkcheck"
)

// withLinkCheck adds the link checker's sweep worker to register and,
// unless ATLAS_LINKCHECK_INTERVAL is 0, its periodic job, with its metrics
// on reg.
func withLinkCheck(cfg config.Config, log *slog.Logger, core *app.Core, reg prometheus.Registerer,
	register func(*river.Workers) error, periodic []*river.PeriodicJob) (func(*river.Workers) error, []*river.PeriodicJob, error) {
	p, err := params.LinkChecker(cfg)
	if err != nil {
		return nil, nil, err
	}
	p.Items, p.Metrics, p.Logger = core.Items, linkcheck.NewMetrics(reg), log
	checker := linkcheck.New(p)
	w := linkcheck.NewWorker(checker)
	withWorker := func(ws *river.Workers) error {
		if err := register(ws); err != nil {
			return err
		}
		return river.AddWorkerSafely(ws, w)
	}
	if cfg.LinkCheckInterval == 0 {
		return withWorker, periodic, nil
	}
	log.Info("periodic link check", slog.Duration("interval", cfg.LinkCheckInterval), slog.Duration("sweep_every", cfg.LinkCheckSweepEvery))
	return withWorker, append(periodic, linkcheck.PeriodicJob(checker)), nil
}
