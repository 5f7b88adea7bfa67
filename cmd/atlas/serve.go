package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/ops"
)

// newServe builds `atlas serve`: the HTTP API, River UI and the dashboard
// on the process's search index. It uses no Kafka.
func newServe(ctx context.Context, cfg config.Config, log *slog.Logger) (*proc, error) {
	p, err := startProcess(ctx, cfg, log, "serve", needs{index: true})
	if err != nil {
		return nil, err
	}
	a, err := p.newAPI(ctx)
	if err != nil {
		return p.fail(err)
	}
	probeSearch(ctx, log, p.index)
	p.run = func(ctx context.Context) error {
		return runHTTP(ctx, log, cfg.HTTPAddr, cfg.ShutdownDelay, a.Server)
	}
	return p, nil
}

// newAPI builds the API on the process (serve and dev): the services on its
// pool and search index, River UI started, and /health and /ready (and
// /metrics, unless an ops listener serves them) on the API's router.
func (p *proc) newAPI(ctx context.Context) (*app.App, error) {
	if p.cfg.GeneratedJWTSecret {
		p.log.Warn("ATLAS_JWT_SECRET is not set: using a random secret for this development run; tokens will not survive a restart")
	}
	a, err := app.New(app.Params{Config: p.cfg, Pool: p.pool, Logger: p.log, Version: version,
		HTTPMetrics: ops.NewHTTPMetrics(p.ops.reg), SearchIndex: p.index})
	if err != nil {
		return nil, err
	}
	p.onClose(a.Close)
	p.api = a
	if err := a.Server.StartRiverUI(ctx); err != nil {
		return nil, err
	}
	p.ops.mountAPI(a.Server.Router(), !p.separateOps)
	return a, nil
}

// runHTTP serves h on addr until ctx ends, then shuts down gracefully: it
// goes on serving for delay (while load balancers and Kubernetes endpoints
// stop routing to this process), then stops accepting and lets in-flight
// requests finish (up to 20 s).
//
// During the delay every response carries "Connection: close". A keep-alive
// connection stays with this process even after the endpoints have moved
// away, and closing it when idle (as Shutdown does) races a client that is
// just sending its next request on it: a POST lost that way comes back as a
// bare EOF the client may not retry. Closing each connection right after a
// response it has read leaves no such window, and the client's next
// connection goes to a process still in the endpoints.
func runHTTP(ctx context.Context, log *slog.Logger, addr string, delay time.Duration, h http.Handler) error {
	var draining atomic.Bool
	srv := &http.Server{
		Addr: addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if draining.Load() {
				w.Header().Set("Connection", "close")
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", slog.String("addr", addr), slog.String("version", version))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	if delay > 0 {
		log.Info("stopping: still serving while traffic moves away", slog.Duration("delay", delay))
		select {
		case err := <-errc:
			return err
		case <-time.After(delay):
		}
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
