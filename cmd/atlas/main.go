// Command atlas is Atlas' single binary. Each subcommand runs one process
// of the system, or one tool:
//
//	atlas serve            HTTP API, OpenAPI docs, River UI and dashboard
//	atlas worker           River workers: outbox publishing, ENRICH_URL, REINDEX_ITEM
//	atlas audit-consumer   Kafka consumer group atlas-audit -> audit_events
//	atlas indexer          Kafka consumer group atlas-indexer -> Elasticsearch
//	atlas dev              every process above in one, for a laptop
//	atlas all              same as dev
//	atlas migrate          apply database migrations (Atlas' and River's)
//	atlas audit verify     check the audit trail's hash chain (exit 1 if broken)
//	atlas search reindex   rebuild the search index from Postgres, swap the alias
//	atlas reconcile        compare Postgres with the index and the audit trail (--repair re-syncs)
//	atlas events replay-dlq  re-feed dead-lettered records to a consumer group (--dry-run)
//	atlas config           print the effective configuration (secrets redacted)
//	atlas openapi          print the OpenAPI document (JSON)
//
// A test (TestMainDoc_ListsEverySubcommand) keeps this list and commands()
// in step.
//
// Configuration comes only from ATLAS_* environment variables; see
// .env.example.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/telemetry"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: its one-line help, what it runs and, for the
// processes serving the API, the check of the settings only they use.
type command struct {
	help string
	run  func(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error
	// validate checks (and completes) the settings this command needs
	// beyond what config.Load checks for every command; nil: none.
	validate func(*config.Config) error
}

// commands lists every subcommand; each lives in a file of its own.
func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the HTTP API (ATLAS_HTTP_ADDR, default 127.0.0.1:8080)", runs(newServe), (*config.Config).ValidateAPI},
		"migrate": {"apply database migrations (Atlas' and River's) and exit", migrate, nil},
		"config":  {"print the effective configuration with secrets redacted", printConfig, nil},
		"openapi": {"print the OpenAPI document (JSON) and exit", printOpenAPI, nil},
		"worker":  {"run River workers: publish outbox events to Kafka, run background jobs", runs(newWorker), nil},
		"dev":     {"run every process (API, worker, consumers) in one, for a laptop", runs(newDev), (*config.Config).ValidateAPI},
		"all":     {"same as dev", runs(newDev), (*config.Config).ValidateAPI},

		// The audit trail (see package audit).
		"audit-consumer": {"run the audit consumer group (atlas-audit): Kafka events -> audit_events", runs(newAuditConsumer), nil},
		"audit":          {"audit tools: `atlas audit verify` checks the audit trail's hash chain (exit 1 if broken)", auditTool, nil},

		// Search (see package search).
		"indexer": {"run the search indexer group (atlas-indexer): Kafka events -> Elasticsearch", runs(newIndexer), nil},
		"search":  {"search tools: `atlas search reindex` rebuilds the index from Postgres and swaps the alias", searchTool, nil},

		// Recovery (see package reconcile and events/broker's replay).
		"events":    {"event tools: `atlas events replay-dlq --group atlas-audit|atlas-indexer [--dry-run]` re-feeds dead letters", eventsTool, nil},
		"reconcile": {"compare Postgres with the search index and the audit trail; --repair re-syncs the index (exit 1 while drift remains)", reconcileTool, nil},
	}
}

func usage() string {
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: atlas <command> [args]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-16s %s\n", n, cmds[n].help)
	}
	b.WriteString("\nConfiguration comes from ATLAS_* environment variables (see .env.example).\n")
	return b.String()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage())
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Print(usage())
		return
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "atlas: unknown command %q\n\n%s", name, usage())
		os.Exit(2)
	}
	cfg, err := loadConfig(cmd, config.Load)
	if err != nil {
		fmt.Fprintf(os.Stderr, "atlas: configuration: %v\n", err)
		os.Exit(2)
	}
	log, err := telemetry.NewLogger(os.Stderr, telemetry.LogOptions{Format: cfg.LogFormat, Level: cfg.LogLevel, Project: cfg.GCPProject})
	if err != nil {
		fmt.Fprintf(os.Stderr, "atlas: configuration: %v\n", err)
		os.Exit(2)
	}
	slog.SetDefault(log) // for libraries that log through slog's default
	for _, w := range cfg.Warnings() {
		log.Warn("configuration: " + w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if err := run(ctx, name, cmd, cfg, log); err != nil {
		stop()
		fmt.Fprintf(os.Stderr, "atlas %s: %v\n", name, err)
		os.Exit(1)
	}
	stop()
}

// loadConfig loads the configuration with load and checks what cmd needs
// besides: each process validates only the settings it uses.
func loadConfig(cmd command, load func() (config.Config, error)) (config.Config, error) {
	cfg, err := load()
	if err != nil {
		return cfg, err
	}
	if cmd.validate != nil {
		err = cmd.validate(&cfg)
	}
	return cfg, err
}

// run runs one subcommand with tracing set up, and flushes the spans it
// left buffered before returning.
func run(ctx context.Context, name string, cmd command, cfg config.Config, log *slog.Logger) error {
	shutdown, err := setupTracing(ctx, traceOptions{
		Endpoint: cfg.OTLPEndpoint, ServiceName: cfg.OTelServiceName, Process: name,
		Version: version, SampleRatio: cfg.OTelSampleRatio,
	})
	if err != nil {
		return err
	}
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(flush); err != nil {
			log.Warn("flushing traces", "error", err)
		}
	}()
	return cmd.run(ctx, cfg, log, os.Args[2:])
}
