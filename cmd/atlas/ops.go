package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/ops"
)

// opsDefaultAddrs are the default ops listeners of the subcommands without
// an HTTP API, one port each so they can share a host. serve and dev answer
// /health, /ready and /metrics on their HTTP address instead, unless
// ATLAS_OPS_ADDR gives them a listener of their own.
var opsDefaultAddrs = map[string]string{
	"worker":         "127.0.0.1:9464",
	"audit-consumer": "127.0.0.1:9465",
	"indexer":        "127.0.0.1:9466",
}

// processOps is what operators see of one process: its metrics registry,
// its readiness checks and, where it has one, its ops listener.
type processOps struct {
	reg   *prometheus.Registry
	ready *ops.Readiness
	log   *slog.Logger
	srv   *ops.Server
}

// newProcessOps starts a process's registry (with the pool's statistics)
// and readiness (with the Postgres check); callers add the checks of the
// other dependencies they use.
func newProcessOps(log *slog.Logger, pool *pgxpool.Pool) *processOps {
	reg := ops.NewRegistry(version)
	reg.MustRegister(ops.NewPoolCollector(pool))
	return &processOps{
		reg:   reg,
		ready: ops.NewReadiness(ops.ReadinessOpts{Logger: log}, ops.PostgresCheck(pool)),
		log:   log,
	}
}

// listen starts the ops listener of the named process on ATLAS_OPS_ADDR,
// else on the process's default address, and reports whether one runs. An
// address set explicitly that cannot be bound stops the process; a default
// one that is busy (another Atlas on this host) only logs a warning.
func (o *processOps) listen(cfg config.Config, process string) (bool, error) {
	addr, explicit := cfg.OpsAddr, cfg.OpsAddr != ""
	if !explicit {
		addr = opsDefaultAddrs[process]
	}
	if addr == "" || addr == config.OpsAddrOff {
		return false, nil
	}
	srv, err := ops.Listen(addr, ops.NewHandler(ops.HandlerParams{Gatherer: o.reg, Readiness: o.ready, Logger: o.log}), o.log)
	if err != nil {
		if explicit {
			return false, err
		}
		o.log.Warn("ops endpoints not served: default address busy; set ATLAS_OPS_ADDR", slog.Any("error", err))
		return false, nil
	}
	srv.Start()
	o.srv = srv
	return true, nil
}

// mountAPI answers /health and /ready on the API's router (without error
// details: the address is public), and /metrics too when withMetrics.
func (o *processOps) mountAPI(r chi.Router, withMetrics bool) {
	r.Method("GET", ops.PathHealth, ops.HealthHandler())
	r.Method("GET", ops.PathReady, o.ready.Handler(false))
	if withMetrics {
		r.Method("GET", ops.PathMetrics, ops.MetricsHandler(o.reg, o.log))
	}
}

// stop closes the ops listener, if any, once the process's work has
// drained (so probes and scrapes answer during the drain).
func (o *processOps) stop() {
	if o.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.srv.Shutdown(ctx); err != nil {
		o.log.Warn("ops listener shutdown", slog.Any("error", err))
	}
}
