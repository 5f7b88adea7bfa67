package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/search"
)

const replayUsage = "usage: atlas events replay-dlq --group atlas-audit|atlas-indexer [--dry-run]"

// eventsTool runs `atlas events replay-dlq`: the dead letters of one
// consumer group that are valid envelopes now go through that group's
// handler again (idempotently); the rest are listed.
func eventsTool(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "replay-dlq" {
		return errors.New(replayUsage)
	}
	fs := flag.NewFlagSet("replay-dlq", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	group := fs.String("group", "", "consumer group whose dead letters to replay: atlas-audit or atlas-indexer")
	dryRun := fs.Bool("dry-run", false, "report what would be replayed; change nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return errors.New(replayUsage)
	}
	pool, err := openToolPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	var h events.BatchHandler
	switch *group {
	case audit.GroupID:
		h = audit.NewRecorder(audit.RecorderParams{DB: pool, Logger: log}).Handle
	case search.GroupID:
		syncer, index, err := toolSyncer(cfg, log, pool)
		if err != nil {
			return err
		}
		defer index.Close()
		h = syncer.Handle
	default:
		return fmt.Errorf("--group: must be %s or %s, got %q", audit.GroupID, search.GroupID, *group)
	}
	rep, err := broker.ReplayDeadLetters(ctx, broker.ReplayParams{
		Brokers: cfg.KafkaBrokers, Security: kafkaSecurity(cfg), Topic: cfg.KafkaDLQTopic, Group: *group, DryRun: *dryRun}, h)
	verb := "replayed"
	if *dryRun {
		verb = "would replay"
	}
	fmt.Fprintf(os.Stdout, "%s: read %d dead letters of %s, %s %d, %d still invalid\n",
		cfg.KafkaDLQTopic, rep.Read, *group, verb, rep.Replayed, len(rep.StillInvalid))
	for _, r := range rep.StillInvalid {
		fmt.Fprintf(os.Stdout, "  still invalid: partition %d offset %d: %s\n", r.Partition, r.Offset, r.Reason)
	}
	return err
}
