package jobs

import (
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
)

// NewInsertClient returns a River client that only inserts jobs (no queues,
// no workers): what `atlas serve` needs to enqueue outbox and enrichment
// jobs inside API transactions.
func NewInsertClient(pool *pgxpool.Pool, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log, Middleware: []rivertype.Middleware{tracing()}})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	return c, nil
}

// tracing is River's OpenTelemetry middleware: a span for each insert and
// each job worked, the job's span linked to the span that enqueued it
// through the traceparent it records in the job's metadata. It uses the
// process-wide tracer provider (see package telemetry).
func tracing() rivertype.Middleware {
	return otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
		EnableTracePropagation:      true,
		EnableWorkSpanJobKindSuffix: true,
		DurationUnit:                "s",
	})
}
