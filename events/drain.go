package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/atlasapp/atlas/retry"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Drainer defaults.
const (
	// DefaultPollInterval is how often a drainer looks for lanes with
	// waiting events; it bounds the time an event waits in the outbox while
	// Kafka is healthy.
	DefaultPollInterval = 20 * time.Millisecond
	// DefaultDrainBatch is how many events of a lane one drain publishes.
	DefaultDrainBatch = 500
	// DefaultPublishTimeout bounds one drain's wait for its delivery
	// reports; the lane stays locked meanwhile.
	DefaultPublishTimeout = 30 * time.Second
	// PublishRetryMin and PublishRetryCap bound the backoff between two
	// failed drains of a lane (Kafka down): events flow again within
	// PublishRetryCap of Kafka coming back.
	PublishRetryMin = 100 * time.Millisecond
	PublishRetryCap = 10 * time.Second
)

// Publisher delivers envelopes to the broker; broker.Producer implements it.
type Publisher interface {
	// PublishBatch sends every envelope of envs, in order and before
	// waiting for any acknowledgement, then waits for them all. It returns
	// how many envelopes, counted from the first, the broker acknowledged;
	// when that is not all of them, err says why.
	PublishBatch(ctx context.Context, envs []Envelope) (int, error)
}

// DrainerParams configures a Drainer.
type DrainerParams struct {
	// Pool is the database holding atlas_outbox.
	Pool *pgxpool.Pool
	// Publisher delivers the envelopes (the Kafka producer).
	Publisher Publisher
	// Logger receives drain failures; nil discards them.
	Logger *slog.Logger
	// PollInterval: zero means DefaultPollInterval.
	PollInterval time.Duration
	// Batch: zero means DefaultDrainBatch.
	Batch int
	// PublishTimeout: zero means DefaultPublishTimeout.
	PublishTimeout time.Duration
}

// Drainer publishes the outbox: for each lane it takes the lane's row lock
// (atlas_outbox_lanes, FOR UPDATE SKIP LOCKED), reads the lane's events in
// seq order, publishes them with one pipelined PublishBatch, deletes those
// the broker acknowledged and commits, all in one transaction. The lock
// makes one process the publisher of a lane at a time across every
// replica; Postgres releases it the moment a killed process' connection
// drops, and events not deleted by then are published again by the next
// owner (at least once, in order). Any number of Drainers may run.
type Drainer struct {
	pool    *pgxpool.Pool
	pub     Publisher
	log     *slog.Logger
	poll    time.Duration
	batch   int
	timeout time.Duration
}

// NewDrainer returns a Drainer; start it with Run.
func NewDrainer(p DrainerParams) *Drainer {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.PollInterval <= 0 {
		p.PollInterval = DefaultPollInterval
	}
	if p.Batch <= 0 {
		p.Batch = DefaultDrainBatch
	}
	if p.PublishTimeout <= 0 {
		p.PublishTimeout = DefaultPublishTimeout
	}
	return &Drainer{pool: p.Pool, pub: p.Publisher, log: p.Logger.With("component", "events.drainer"),
		poll: p.PollInterval, batch: p.Batch, timeout: p.PublishTimeout}
}

// waitingLanesSQL lists the lanes that hold events: one index probe per
// lane, cheap enough to run every PollInterval.
const waitingLanesSQL = `
SELECT l.lane FROM atlas_outbox_lanes l
WHERE EXISTS (SELECT 1 FROM atlas_outbox o WHERE o.lane = l.lane)`

// Run drains every lane until ctx ends. A lane's goroutine works only when
// the poller saw events in it, and then drains until the lane is empty or
// owned by another process.
func (d *Drainer) Run(ctx context.Context) error {
	wake := make([]chan struct{}, EventLanes)
	var wg sync.WaitGroup
	for lane := range wake {
		wake[lane] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.runLane(ctx, int16(lane), wake[lane])
		}()
	}
	defer wg.Wait()
	tick := time.NewTicker(d.poll)
	defer tick.Stop()
	for {
		lanes, err := d.waitingLanes(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("outbox poll failed", "error", err)
		}
		for _, lane := range lanes {
			if int(lane) < len(wake) {
				select {
				case wake[lane] <- struct{}{}:
				default: // already awake
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (d *Drainer) waitingLanes(ctx context.Context) ([]int16, error) {
	rows, err := d.pool.Query(ctx, waitingLanesSQL)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int16])
}

// runLane drains lane each time it is woken, backing off while drains fail.
func (d *Drainer) runLane(ctx context.Context, lane int16, wake <-chan struct{}) {
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		for ctx.Err() == nil {
			// A drain under way when ctx ends finishes its batch (bounded by
			// the publish timeout): no event is published twice for a
			// clean shutdown.
			drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout+10*time.Second)
			n, err := d.DrainLane(drainCtx, lane)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				delay := retry.Backoff{Base: PublishRetryMin, Max: PublishRetryCap}.Delay(failures)
				d.log.Warn("outbox drain failed", "lane", lane, "attempt", failures, "retry_in", delay, "error", err)
				if retry.Sleep(ctx, delay) != nil {
					return
				}
				continue
			}
			failures = 0
			if n < d.batch {
				break // empty, or drained by another process
			}
		}
	}
}

// lockLaneSQL claims a lane for the current transaction, or returns no row
// when another process holds it.
const lockLaneSQL = `SELECT lane FROM atlas_outbox_lanes WHERE lane = $1 FOR UPDATE SKIP LOCKED`

// laneEventsSQL reads a lane's oldest events. It runs as a statement of its
// own after lockLaneSQL, so its snapshot sees every deletion the previous
// owner committed before the lock was granted.
const laneEventsSQL = `SELECT seq, envelope, coalesce(traceparent, '') FROM atlas_outbox WHERE lane = $1 ORDER BY seq LIMIT $2`

// deleteEventsSQL removes published events by seq (never by range: an
// event with a lower seq may commit after the read and must stay).
const deleteEventsSQL = `DELETE FROM atlas_outbox WHERE seq = ANY ($1::bigint[])`

// DrainLane publishes one batch of lane's events if this process can take
// the lane, and returns how many events it read (0 when the lane is empty
// or owned by another process). Events the broker acknowledged are deleted
// even when a later one of the batch failed.
func (d *Drainer) DrainLane(ctx context.Context, lane int16) (int, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("drain lane %d: %w", lane, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var owned int16
	if err := tx.QueryRow(ctx, lockLaneSQL, lane).Scan(&owned); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, nil
		}
		return 0, fmt.Errorf("drain lane %d: lock: %w", lane, err)
	}
	seqs, envs, err := readLane(ctx, tx, lane, d.batch)
	if err != nil || len(envs) == 0 {
		return 0, err
	}
	pubCtx, cancel := context.WithTimeout(ctx, d.timeout)
	delivered, pubErr := d.pub.PublishBatch(pubCtx, envs)
	cancel()
	done := delivered
	if errors.Is(pubErr, ErrInvalidEnvelope) && delivered < len(envs) {
		// It can never be published and would block its lane for good:
		// drop it, loudly, with its whole content.
		doc, _ := json.Marshal(envs[delivered])
		d.log.Error("outbox event fails the schema: dropped", "lane", lane, "seq", seqs[delivered],
			"event_id", envs[delivered].EventID, "envelope", string(doc), "error", pubErr)
		done++
	}
	if done > 0 {
		if _, err := tx.Exec(ctx, deleteEventsSQL, seqs[:done]); err != nil {
			return 0, fmt.Errorf("drain lane %d: delete published: %w", lane, err)
		}
		if err := tx.Commit(ctx); err != nil {
			return 0, fmt.Errorf("drain lane %d: commit: %w", lane, err)
		}
	}
	if pubErr != nil {
		return delivered, fmt.Errorf("drain lane %d: published %d of %d: %w", lane, delivered, len(envs), pubErr)
	}
	return len(envs), nil
}

func readLane(ctx context.Context, tx pgx.Tx, lane int16, limit int) ([]int64, []Envelope, error) {
	rows, err := tx.Query(ctx, laneEventsSQL, lane, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("drain lane %d: read: %w", lane, err)
	}
	defer rows.Close()
	var seqs []int64
	var envs []Envelope
	for rows.Next() {
		var seq int64
		var doc []byte
		var parent string
		if err := rows.Scan(&seq, &doc, &parent); err != nil {
			return nil, nil, fmt.Errorf("drain lane %d: read: %w", lane, err)
		}
		var env Envelope
		if err := json.Unmarshal(doc, &env); err != nil {
			return nil, nil, fmt.Errorf("drain lane %d: event %d: %w", lane, seq, err)
		}
		env.Parent = parent
		seqs, envs = append(seqs, seq), append(envs, env)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("drain lane %d: read: %w", lane, err)
	}
	return seqs, envs, nil
}
