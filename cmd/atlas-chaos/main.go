// Command atlas-chaos is the fault-injection run behind scripts/chaos. It
// runs Atlas as separate processes (serve, two workers, the audit consumer,
// the indexer) against private Postgres, Kafka and Elasticsearch instances
// that scripts/chaos started, keeps clients writing over loopback, and
// injects one fault after another: SIGKILL of each process kind, Kafka and
// Elasticsearch stopped, Postgres restarted, a consumer crashing between its
// handler and its offset commit. After each fault it waits for Postgres, the
// audit trail and the search index to agree again and prints a table: the
// fault, client errors while it lasted, time to converge, writes lost and
// duplicated. Each writer's collection has a webhook to a receiver in this
// process (signatures verified with the reference Standard Webhooks
// library, deduplication on webhook-id); after the last fault, every
// ItemCreated must have been processed there exactly once, which is the
// table's last row. It exits 1 on any loss, duplication or fault that did
// not converge within the deadline.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/reconcile"
	"github.com/atlasapp/atlas/search"
)

type options struct {
	atlas, scripts, runDir    string
	pgPort, kafkaPort, esPort int
	apiPort                   int
	writers                   int
	interval, settle, outage  time.Duration
	kafkaOutage               time.Duration
	deadline, hookDeadline    time.Duration
	hookDelay                 time.Duration
	faults                    string
	failFast                  bool
}

func main() {
	var o options
	flag.StringVar(&o.atlas, "atlas", "", "the atlas binary")
	flag.StringVar(&o.scripts, "scripts", "scripts", "the scripts directory (postgres, kafka, elasticsearch)")
	flag.StringVar(&o.runDir, "run-dir", "", "where process logs go")
	flag.IntVar(&o.pgPort, "pg-port", 26432, "private Postgres port")
	flag.IntVar(&o.kafkaPort, "kafka-port", 26092, "private Kafka port")
	flag.IntVar(&o.esPort, "es-port", 26200, "private Elasticsearch port")
	flag.IntVar(&o.apiPort, "api-port", 26080, "port of atlas serve")
	flag.IntVar(&o.writers, "writers", 4, "concurrent writing clients")
	flag.DurationVar(&o.interval, "interval", 100*time.Millisecond, "pause between one client's requests")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "writing before and after each fault")
	flag.DurationVar(&o.outage, "outage", 15*time.Second, "how long Elasticsearch stays stopped")
	flag.DurationVar(&o.kafkaOutage, "kafka-outage", time.Minute, "how long Kafka stays stopped")
	flag.DurationVar(&o.deadline, "deadline", 60*time.Second, "time allowed to converge after a fault ends")
	flag.DurationVar(&o.hookDeadline, "webhook-deadline", 3*time.Minute,
		"time allowed, after the last fault, for every ItemCreated to reach the webhook receiver (a delivery stranded by a killed worker is rescued after ATLAS_JOB_RESCUE_AFTER, then retried)")
	flag.DurationVar(&o.hookDelay, "webhook-delay", 200*time.Millisecond, "how long the webhook receiver takes to answer (so that kills catch deliveries under way)")
	flag.StringVar(&o.faults, "faults", strings.Join(faultNames, ","), "faults to inject, in order")
	flag.BoolVar(&o.failFast, "fail-fast", false, "stop at the first fault that fails")
	flag.Parse()
	if o.atlas == "" || o.runDir == "" {
		fmt.Fprintln(os.Stderr, "usage: atlas-chaos -atlas bin/atlas -run-dir DIR [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "atlas-chaos: %v\n", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// faultNames are every fault, in the order of a full run.
var faultNames = []string{
	"none", "kill-serve", "kill-worker", "kill-audit-consumer", "kill-indexer",
	"crash-before-commit-audit", "crash-before-commit-indexer",
	"stop-kafka", "stop-elasticsearch", "restart-postgres",
}

// Converged-after times count from the moment the fault ended (the process
// or service back); they include the -settle seconds of writing that follow
// it, since consistency can only be judged once the clients pause.

// result is one row of the table.
type result struct {
	fault        string
	clientErrors int64
	requests     int64
	converged    time.Duration // -1: did not
	state        state
}

func (r result) ok() bool { return r.converged >= 0 && r.state.Lost == 0 && r.state.Duplicated == 0 }

func run(ctx context.Context, o options) (bool, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := os.MkdirAll(o.runDir, 0o750); err != nil {
		return false, err
	}
	runID := time.Now().UTC().Format("20060102150405")
	dbName := "atlas_chaos"
	admin := fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/postgres?sslmode=disable", o.pgPort)
	dbURL := fmt.Sprintf("postgres://atlas:atlas@127.0.0.1:%d/%s?sslmode=disable", o.pgPort, dbName)
	esURL := fmt.Sprintf("http://127.0.0.1:%d", o.esPort)
	if err := freshDatabase(ctx, admin, dbName); err != nil {
		return false, err
	}
	index, err := search.NewIndex(search.IndexOpts{URLs: []string{esURL}})
	if err != nil {
		return false, err
	}
	if err := index.DeleteIndices(ctx); err != nil {
		return false, fmt.Errorf("clear the private index: %w", err)
	}
	env := []string{
		"ATLAS_DATABASE_URL=" + dbURL,
		"ATLAS_DB_MAX_CONNS=10",
		fmt.Sprintf("ATLAS_KAFKA_BROKERS=127.0.0.1:%d", o.kafkaPort),
		"ATLAS_KAFKA_TOPIC_EVENTS=chaos." + runID + ".events",
		"ATLAS_KAFKA_TOPIC_DLQ=chaos." + runID + ".dlq",
		"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS=chaos." + runID + ".checkpoints",
		"ATLAS_ELASTICSEARCH_URL=" + esURL,
		fmt.Sprintf("ATLAS_HTTP_ADDR=127.0.0.1:%d", o.apiPort),
		"ATLAS_OPS_ADDR=off",
		"ATLAS_JWT_SECRET=chaos-run-secret-chaos-run-secret-0123",
		"ATLAS_RECONCILE_INTERVAL=0", // a periodic repair would hide losses
		"ATLAS_RATE_LIMIT_ENABLED=false",
		"ATLAS_LOG_LEVEL=info",
		"ATLAS_FETCH_ALLOW=127.0.0.1", // the webhook receiver listens on loopback
		"ATLAS_WEBHOOK_TIMEOUT=2s",
		"ATLAS_JOB_RESCUE_AFTER=30s", // a delivery stranded by a killed worker runs again within about a minute
	}
	if out, err := command(ctx, o.atlas, env, "migrate"); err != nil {
		return false, fmt.Errorf("migrate: %v: %s", err, out)
	}
	procs := map[string]*proc{
		"serve":          newProc("serve", o.atlas, o.runDir, env, log, "serve"),
		"worker-1":       newProc("worker-1", o.atlas, o.runDir, env, log, "worker"),
		"worker-2":       newProc("worker-2", o.atlas, o.runDir, env, log, "worker"),
		"audit-consumer": newProc("audit-consumer", o.atlas, o.runDir, env, log, "audit-consumer"),
		"indexer":        newProc("indexer", o.atlas, o.runDir, env, log, "indexer"),
	}
	for _, p := range procs {
		if err := p.start(); err != nil {
			return false, err
		}
	}
	defer func() {
		var wg sync.WaitGroup
		for _, p := range procs {
			wg.Add(1)
			go func() { defer wg.Done(); p.stop(syscall.SIGTERM) }()
		}
		wg.Wait()
	}()
	client := api{base: fmt.Sprintf("http://127.0.0.1:%d", o.apiPort), client: &http.Client{Timeout: 10 * time.Second}}
	if err := waitHealthy(ctx, client); err != nil {
		return false, err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return false, err
	}
	defer pool.Close()
	syncer, err := search.NewSyncer(search.SyncerParams{DB: pool, Index: index})
	if err != nil {
		return false, err
	}
	rec, err := reconcile.New(reconcile.Params{DB: pool, Syncer: syncer})
	if err != nil {
		return false, err
	}

	hooks, err := startReceiver(ctx, o.hookDelay)
	if err != nil {
		return false, err
	}
	ack := newAcks()
	var writing atomic.Bool
	wctx, stopWriters := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopWriters(); wg.Wait() }()
	for i := range o.writers {
		w, err := newWriter(ctx, client, i, ack, hooks)
		if err != nil {
			return false, fmt.Errorf("writer %d: %w", i, err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); w.run(wctx, o.interval, writing.Load) }()
	}

	faults := faultTable(o, env, procs, log)
	var results []result
	allOK := true
	for _, name := range strings.Split(o.faults, ",") {
		inject, known := faults[name]
		if !known {
			return false, fmt.Errorf("unknown fault %q (known: %s)", name, strings.Join(faultNames, ", "))
		}
		if ctx.Err() != nil {
			break
		}
		log.Info("fault", "name", name)
		errs0, oks0 := ack.errors.Load(), ack.oks.Load()
		writing.Store(true)
		sleep(ctx, o.settle)
		if err := inject(ctx); err != nil {
			writing.Store(false)
			return false, fmt.Errorf("inject %s: %w", name, err)
		}
		end := time.Now()
		sleep(ctx, o.settle)
		writing.Store(false)
		sleep(ctx, o.interval)
		for ack.inflight.Load() > 0 && ctx.Err() == nil { // requests in flight end (client timeout 5 s)
			sleep(ctx, 20*time.Millisecond)
		}
		r := result{fault: name, clientErrors: ack.errors.Load() - errs0, converged: -1}
		r.requests = ack.oks.Load() - oks0 + r.clientErrors
		for {
			st, err := check(ctx, pool, rec, ack)
			if err != nil {
				log.Warn("check failed; retrying", "error", err)
			} else {
				r.state = st
				if st.Converged {
					r.converged = time.Since(end)
					break
				}
			}
			if time.Since(end) > o.deadline || ctx.Err() != nil {
				break
			}
			sleep(ctx, time.Second)
		}
		log.Info("fault done", "name", name, "ok", r.ok(), "converged", r.converged, "detail", r.state.Detail)
		results = append(results, r)
		if !r.ok() {
			allOK = false
			if o.failFast {
				break
			}
		}
	}

	hookResult := waitHooks(ctx, o, pool, ack, hooks, log)
	if !hookResult.ok() {
		allOK = false
	}
	verify, verr := command(ctx, o.atlas, env, "audit", "verify")
	recon, rerr := command(ctx, o.atlas, env, "reconcile", "--grace", "0")
	printTable(os.Stdout, results, hookResult)
	fmt.Printf("\natlas audit verify: %s\n", strings.TrimSpace(verify))
	fmt.Printf("atlas reconcile --grace 0:\n%s\n", strings.TrimSpace(recon))
	fmt.Printf("requests acknowledged: %d, failed: %d; process logs in %s\n", ack.oks.Load(), ack.errors.Load(), o.runDir)
	if verr != nil || rerr != nil {
		allOK = false
	}
	if allOK {
		fmt.Println("chaos: PASS (0 lost, 0 duplicated, every fault converged)")
	} else {
		fmt.Println("chaos: FAIL")
	}
	return allOK, nil
}

// faultTable maps fault names to functions that inject the fault and return
// once it is over (the process or service is back).
func faultTable(o options, env []string, procs map[string]*proc, log *slog.Logger) map[string]func(context.Context) error {
	kill := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			procs[name].stop(syscall.SIGKILL)
			sleep(ctx, 3*time.Second)
			return procs[name].start()
		}
	}
	crash := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			p := procs[name]
			if err := p.restartWith("ATLAS_FAULT_CRASH_AFTER_HANDLE=true"); err != nil {
				return err
			}
			if !p.waitExit(ctx, 60*time.Second) {
				return fmt.Errorf("%s did not crash after handling a batch", name)
			}
			return nil // the supervisor restarts it without the fault
		}
	}
	service := func(script string, portVar string, port int, outage time.Duration) func(context.Context) error {
		return func(ctx context.Context) error {
			senv := append(env, fmt.Sprintf("%s=%d", portVar, port))
			if out, err := command(ctx, filepath.Join(o.scripts, script), senv, "stop"); err != nil {
				return fmt.Errorf("%s stop: %v: %s", script, err, out)
			}
			sleep(ctx, outage)
			if out, err := command(ctx, filepath.Join(o.scripts, script), senv, "start"); err != nil {
				return fmt.Errorf("%s start: %v: %s", script, err, out)
			}
			log.Info("service back", "service", script)
			return nil
		}
	}
	return map[string]func(context.Context) error{
		"none":                        func(context.Context) error { return nil },
		"kill-serve":                  kill("serve"),
		"kill-worker":                 kill("worker-1"),
		"kill-audit-consumer":         kill("audit-consumer"),
		"kill-indexer":                kill("indexer"),
		"crash-before-commit-audit":   crash("audit-consumer"),
		"crash-before-commit-indexer": crash("indexer"),
		"stop-kafka":                  service("kafka", "ATLAS_KAFKA_PORT", o.kafkaPort, o.kafkaOutage),
		"stop-elasticsearch":          service("elasticsearch", "ATLAS_ES_PORT", o.esPort, o.outage),
		"restart-postgres":            service("postgres", "ATLAS_PG_PORT", o.pgPort, 0),
	}
}

func printTable(w *os.File, results []result, hooks hookResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\trequests\tclient errors\tconverged after\tlost\tduplicated\t")
	for _, r := range results {
		conv := "NOT within deadline"
		if r.converged >= 0 {
			conv = r.converged.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t\n", r.fault, r.requests, r.clientErrors, conv, r.state.Lost, r.state.Duplicated)
	}
	conv := "NOT within deadline"
	if hooks.converged >= 0 {
		conv = hooks.converged.Round(100*time.Millisecond).String() + " after the last fault's check"
	}
	fmt.Fprintf(tw, "webhooks: every ItemCreated at a receiver deduplicating on webhook-id\t%d\t%d\t%s\t%d\t%d\t\n",
		hooks.state.Requests, hooks.state.Unverified, conv, hooks.state.Missing, hooks.state.Duplicated)
	_ = tw.Flush() // a report to the terminal: nothing to do if it fails
	for _, r := range results {
		if r.state.Detail != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.fault, r.state.Detail)
		}
	}
	fmt.Fprintf(w, "  webhooks: %d events processed once each; %d requests, %d of them redeliveries dropped by the deduplication, %d cut off by a killed worker before the answer, %d not verified%s\n",
		hooks.state.Events, hooks.state.Requests, hooks.state.Redelivered, hooks.state.Cut, hooks.state.Unverified, detail(hooks.state.Detail))
}

func command(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // G204: runs the atlas binary this tool built, with its own arguments
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func freshDatabase(ctx context.Context, adminURL, name string) error {
	pool, err := pgxpool.New(ctx, adminURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := pool.Exec(ctx, "CREATE DATABASE "+name+" OWNER atlas"); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

func waitHealthy(ctx context.Context, a api) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := a.call(ctx, "GET", "/health", "", nil, nil); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("atlas serve not healthy at %s after 60s", a.base)
		}
		sleep(ctx, 500*time.Millisecond)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
