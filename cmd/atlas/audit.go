package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/ops"
)

// newAuditConsumer builds `atlas audit-consumer`: the audit consumer group
// on the events topic, and the checkpoints of the chain's head. It uses no
// search index and no JWT secret.
func newAuditConsumer(ctx context.Context, cfg config.Config, log *slog.Logger) (*proc, error) {
	p, err := startProcess(ctx, cfg, log, "audit-consumer", needs{kafka: true})
	if err != nil {
		return nil, err
	}
	metrics := ops.NewConsumerMetrics(p.ops.reg)
	p.run = func(ctx context.Context) error { return p.runAuditConsumer(ctx, metrics) }
	return p, nil
}

// runAuditConsumer records every event of the events topic in audit_events
// (consumer group atlas-audit) until ctx ends, exporting its lag and batch
// metrics (nil: none), and records checkpoints meanwhile. `atlas dev` runs
// it beside the other processes.
func (p *proc) runAuditConsumer(ctx context.Context, metrics *ops.ConsumerMetrics) error {
	c, unregister, err := subscribe(p, audit.GroupID, "audit", audit.NewRecorder(audit.RecorderParams{DB: p.pool, Logger: p.log}).Handle, metrics)
	if err != nil {
		return err
	}
	defer unregister()
	checkpoints := audit.Checkpoints{Store: p.kafka, Topic: p.cfg.KafkaCheckpointTopic}
	cpDone := make(chan struct{})
	go func() { defer close(cpDone); checkpoints.Run(ctx, p.pool, checkpointInterval, p.log) }()
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
	cp, ok, err := audit.Checkpoints{Store: kafkaCluster(cfg), Topic: cfg.KafkaCheckpointTopic}.Latest(ctx)
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
