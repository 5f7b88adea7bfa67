package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/reconcile"
	"github.com/atlasapp/atlas/search"
)

// reconcileTool runs `atlas reconcile [--repair] [--grace d] [--json]`: it
// compares Postgres with the search index and the audit trail, prints the
// drift (and archived copies' orphaned blobs), and exits 1 while drift remains (with --repair: drift it could not
// repair).
func reconcileTool(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	repair := fs.Bool("repair", false, "re-sync drifted items to the search index")
	grace := fs.Duration("grace", reconcile.DefaultGrace, "ignore changes younger than this (0: none)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return errors.New("usage: atlas reconcile [--repair] [--grace 1m] [--json]")
	}
	if *grace < 0 {
		return fmt.Errorf("--grace: must not be negative, got %s", *grace)
	}
	tools, err := openSearchTools(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tools.Close()
	store, closeStore, err := params.ArchiveStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = closeStore() }()
	var archives *archive.Service
	if store != nil {
		archives = archive.NewService(archive.ServiceParams{Pool: tools.pool, Blobs: store, Logger: log})
	}
	rec, err := reconcile.New(reconcile.Params{DB: tools.pool, Syncer: tools.syncer, Archive: archives, Logger: log})
	if err != nil {
		return err
	}
	rep, err := rec.Run(ctx, reconcile.Options{Repair: *repair, Grace: *grace})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(os.Stdout, rep.String())
	}
	if n := rep.Unrepaired(*repair); n > 0 {
		return fmt.Errorf("%d differences between Postgres and the derived stores remain", n)
	}
	return nil
}

// withReconcile adds the reconciliation worker to register and, unless
// ATLAS_RECONCILE_INTERVAL is 0, its periodic job, with its gauges on reg.
func withReconcile(cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, syncer *search.Syncer, archives *archive.Service, reg prometheus.Registerer,
	register func(*river.Workers) error) (func(*river.Workers) error, []*river.PeriodicJob, error) {
	rec, err := reconcile.New(reconcile.Params{DB: pool, Syncer: syncer, Archive: archives, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	w := reconcile.NewWorker(rec, reconcile.NewMetrics(reg))
	withWorker := func(ws *river.Workers) error {
		if err := register(ws); err != nil {
			return err
		}
		return river.AddWorkerSafely(ws, w)
	}
	if cfg.ReconcileInterval == 0 {
		return withWorker, nil, nil
	}
	log.Info("periodic reconcile", slog.Duration("interval", cfg.ReconcileInterval))
	return withWorker, []*river.PeriodicJob{reconcile.PeriodicJob(cfg.ReconcileInterval)}, nil
}
