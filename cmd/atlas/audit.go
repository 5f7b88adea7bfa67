package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/ops"
)

// auditConsumer runs the audit consumer group until ctx ends.
func auditConsumer(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	po := newProcessOps(log, pool)
	po.ready.Add(ops.KafkaCheck(cfg.KafkaBrokers, kafkaSecurity(cfg)))
	if _, err := po.listen(cfg, "audit-consumer"); err != nil {
		return err
	}
	defer po.stop()
	return runAuditConsumer(ctx, cfg, log, pool, ops.NewConsumerMetrics(po.reg))
}

// runAuditConsumer ensures the topics exist, then records every event of
// the events topic in audit_events (consumer group atlas-audit) until ctx
// ends, exporting its lag and batch metrics (nil: none). `atlas dev` runs it
// beside the other processes.
func runAuditConsumer(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, metrics *ops.ConsumerMetrics) error {
	if err := broker.EnsureTopics(ctx, cfg.KafkaBrokers, kafkaSecurity(cfg),
		broker.TopicSpec{Name: cfg.KafkaEventsTopic}, broker.TopicSpec{Name: cfg.KafkaDLQTopic}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("kafka topics: %w", err)
	}
	c, err := audit.NewConsumer(consumerConfig(cfg, log, audit.GroupID),
		audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: log}),
		func(h broker.BatchHandler) broker.BatchHandler { return metrics.WrapHandler("audit", h) })
	if err != nil {
		return err
	}
	defer metrics.RegisterLag("audit", c)()
	checkpoints := audit.Checkpoints{Brokers: cfg.KafkaBrokers, Security: kafkaSecurity(cfg), Topic: cfg.KafkaCheckpointTopic}
	cpDone := make(chan struct{})
	go func() { defer close(cpDone); checkpoints.Run(ctx, pool, checkpointInterval, log) }()
	defer func() { <-cpDone }()
	return c.Run(ctx)
}

// checkpointInterval is how often the audit consumer records the chain's
// head on the checkpoint topic.
const checkpointInterval = 30 * time.Second

// auditTool runs the audit subcommands.
func auditTool(ctx context.Context, cfg config.Config, _ *slog.Logger, args []string) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: atlas audit verify   (recompute the audit trail's hash chain; exit 1 at the first broken link)")
	}
	pool, err := openToolPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := audit.Verify(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, rep.String())
	if !rep.OK() {
		return fmt.Errorf("audit chain broken at seq %d", rep.Broken.Seq)
	}
	cp, ok, err := audit.Checkpoints{Brokers: cfg.KafkaBrokers, Security: kafkaSecurity(cfg), Topic: cfg.KafkaCheckpointTopic}.Latest(ctx)
	if err != nil {
		return fmt.Errorf("read the latest checkpoint from %s: %w", cfg.KafkaCheckpointTopic, err)
	}
	if !ok {
		fmt.Fprintf(os.Stdout, "no checkpoint on %s yet: truncation of the tail cannot be ruled out\n", cfg.KafkaCheckpointTopic)
		return nil
	}
	if err := audit.CheckCheckpoint(ctx, pool, cp); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "checkpoint OK: row %d matches the head recorded at %s\n", cp.Seq, cp.At.Format(time.RFC3339))
	return nil
}

// consumerConfig is the Kafka side of the configuration of the events
// consumer group named group: brokers, topics, group membership and, when
// ATLAS_FAULT_CRASH_AFTER_HANDLE is set (scripts/chaos), an exit after the
// first handled batch, before its offsets are committed.
func consumerConfig(cfg config.Config, log *slog.Logger, group string) broker.ConsumerConfig {
	cc := broker.ConsumerConfig{
		Brokers:         cfg.KafkaBrokers,
		Security:        kafkaSecurity(cfg),
		Topics:          []string{cfg.KafkaEventsTopic},
		DeadLetterTopic: cfg.KafkaDLQTopic,
		Properties:      cfg.ConsumerGroupSettings(group),
		Logger:          log,
	}
	if cfg.FaultCrashAfterHandle {
		cc.BeforeCommitFunc = func(records int) {
			log.Warn("fault injection: exiting after a handled batch, before committing its offsets",
				slog.String("consumer_group", group), slog.Int("records", records))
			os.Exit(faultExitCode)
		}
	}
	return cc
}

// faultExitCode is the exit status of a process stopped by fault injection.
const faultExitCode = 86
