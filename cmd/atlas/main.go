// Command atlas is Atlas' single binary. Each subcommand runs one process
// of the system:
//
//	atlas serve     HTTP API, OpenAPI docs and dashboard
//	atlas migrate   apply database migrations (Atlas' and River's)
//	atlas config    print the effective configuration (secrets redacted)
//
// Configuration comes only from ATLAS_* environment variables; see
// .env.example.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: atlas <command>

commands:
  serve     run the HTTP API (ATLAS_HTTP_ADDR, default 127.0.0.1:8080)
  migrate   apply database migrations and exit
  config    print the effective configuration with secrets redacted
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd := os.Args[1]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(os.Stderr, "atlas: configuration: %v\n", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		err = serve(ctx, cfg, log)
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "config":
		err = printConfig(cfg)
	default:
		fmt.Fprintf(os.Stderr, "atlas: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "atlas %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func printConfig(cfg config.Config) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(cfg)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	pool, err := db.Open(ctx, db.PoolParams{URL: cfg.DatabaseURL.Value(), MaxConns: 2})
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, log); err != nil {
		return err
	}
	log.Info("migrations applied")
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.GeneratedJWTSecret {
		log.Warn("ATLAS_JWT_SECRET is not set: using a random secret for this development run; tokens will not survive a restart")
	}
	pool, err := db.Open(ctx, db.PoolParams{URL: cfg.DatabaseURL.Value(), MaxConns: cfg.DBMaxConns})
	if err != nil {
		return err
	}
	defer pool.Close()
	a, err := app.New(app.Params{Config: cfg, Pool: pool, Logger: log, Version: version})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", slog.String("addr", cfg.HTTPAddr), slog.String("version", version))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
