package audit

// Checkpoints make truncation of the audit trail's tail detectable. The hash
// chain proves every row follows from the one before, but someone able to
// delete the newest rows (disabling the append-only triggers) leaves a
// shorter chain that still verifies. So the consumer periodically writes the
// chain's head (seq, hash, time) outside Postgres, to the compacted Kafka
// topic TopicCheckpoints, and `atlas audit verify` fails when the row at the
// checkpoint's seq is missing or has another hash.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
)

// TopicCheckpoints is the compacted topic holding the latest checkpoint.
const TopicCheckpoints = "atlas.audit.checkpoints.v1"

// checkpointKey is the record key of the (one) audit chain.
const checkpointKey = "audit_events"

// Checkpoint is the head of the chain at a moment.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"` // hex
	At   time.Time `json:"at"`
}

const headSQL = `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`

// Head returns the chain's last row as a checkpoint, and false for an
// empty trail.
func Head(ctx context.Context, q db.Querier, now time.Time) (Checkpoint, bool, error) {
	var cp Checkpoint
	var hash []byte
	err := q.QueryRow(ctx, headSQL).Scan(&cp.Seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("audit head: %w", err)
	}
	cp.Hash, cp.At = hex.EncodeToString(hash), now.UTC()
	return cp, true, nil
}

// CheckCheckpoint fails when the trail no longer holds the checkpoint's
// row as it was: rows at or before it were removed or changed.
func CheckCheckpoint(ctx context.Context, q db.Querier, cp Checkpoint) error {
	var hash []byte
	err := q.QueryRow(ctx, `SELECT hash FROM audit_events WHERE seq = $1`, cp.Seq).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("audit trail truncated: row %d, recorded as the head at %s, is missing", cp.Seq, cp.At.Format(time.RFC3339))
	}
	if err != nil {
		return fmt.Errorf("check audit checkpoint: %w", err)
	}
	if got := hex.EncodeToString(hash); got != cp.Hash {
		return fmt.Errorf("audit trail rewritten: row %d has hash %s, checkpoint of %s says %s", cp.Seq, got, cp.At.Format(time.RFC3339), cp.Hash)
	}
	return nil
}

// LatestStore keeps the last value written under each key of a topic, outside
// Postgres: a compacted Kafka topic (broker.Cluster implements it). Put waits
// until the value is durable; Read returns false when nothing was written.
type LatestStore interface {
	PutLatest(ctx context.Context, topic, key string, value []byte) error
	ReadLatest(ctx context.Context, topic, key string) ([]byte, bool, error)
}

// Checkpoints reads and writes checkpoints on a topic of Store.
type Checkpoints struct {
	// Store holds the topic; process wiring passes the Kafka cluster.
	Store LatestStore
	// Topic defaults to TopicCheckpoints.
	Topic string
}

func (c Checkpoints) topic() string {
	if c.Topic == "" {
		return TopicCheckpoints
	}
	return c.Topic
}

// Put records cp as the latest checkpoint.
func (c Checkpoints) Put(ctx context.Context, cp Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return c.Store.PutLatest(ctx, c.topic(), checkpointKey, b)
}

// Latest returns the latest checkpoint, and false when none was recorded.
func (c Checkpoints) Latest(ctx context.Context) (Checkpoint, bool, error) {
	var cp Checkpoint
	b, ok, err := c.Store.ReadLatest(ctx, c.topic(), checkpointKey)
	if err != nil || !ok {
		return cp, false, err
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, false, fmt.Errorf("decode audit checkpoint: %w", err)
	}
	return cp, true, nil
}

// Run records the chain's head every interval while it moves, until ctx
// ends (the audit consumer runs it beside its group).
func (c Checkpoints) Run(ctx context.Context, q db.Querier, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cp, ok, err := Head(ctx, q, time.Now())
		if err == nil && ok && cp.Seq != last {
			err = c.Put(ctx, cp)
			if err == nil {
				last = cp.Seq
				log.Debug("audit checkpoint recorded", "seq", cp.Seq)
			}
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("audit checkpoint failed; will retry", "error", err)
		}
	}
}
