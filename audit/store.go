package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/atlasapp/atlas/db"
)

// Store is the SQL of the audit trail.
type Store struct{}

// lockSQL serialises appenders. SHARE ROW EXCLUSIVE conflicts with itself
// and with the ROW EXCLUSIVE lock any INSERT takes, but not with readers, so
// exactly one transaction at a time extends the chain while queries and
// verification go on.
const lockSQL = `LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE`

const chainTailSQL = `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`

// prepareSQL renders each record's data as Postgres' canonical jsonb text
// and says which event ids are already recorded, in input order.
const prepareSQL = `
SELECT t.data::jsonb::text, EXISTS (SELECT 1 FROM audit_events a WHERE a.event_id = t.event_id)
FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(event_id, data, n)
ORDER BY t.n`

// preparedRow is a row of prepareSQL.
type preparedRow struct {
	Canonical string
	Exists    bool
}

const insertSQL = `
INSERT INTO audit_events (seq, event_id, type, version, occurred_at, recorded_at, actor_user_id,
    entity_type, entity_id, collection_id, data, trace_id, request_id, prev_hash, hash)
SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::integer[], $5::timestamptz[], $6::timestamptz[],
    $7::uuid[], $8::text[], $9::uuid[], $10::uuid[], $11::jsonb[], $12::text[], $13::text[], $14::bytea[], $15::bytea[])
ON CONFLICT (event_id) DO NOTHING`

// AppendResult says what Append did.
type AppendResult struct {
	// Inserted rows were new; Duplicates were already recorded (or repeated
	// within the batch) and skipped.
	Inserted, Duplicates int
	// LastSeq is the chain position of the last row after the append.
	LastSeq int64
}

// Append records events at the end of the hash chain in one transaction,
// skipping event ids already recorded, so replaying a batch changes
// nothing. Seq, PrevHash and Hash of the given events are ignored and
// computed here; RecordedAt must be set.
func (Store) Append(ctx context.Context, b db.Beginner, evs []Event) (AppendResult, error) {
	total := len(evs)
	evs = uniqueByEventID(evs)
	var res AppendResult
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		res = AppendResult{Duplicates: total - len(evs)}
		batch := &pgx.Batch{}
		batch.Queue(lockSQL)
		var lastSeq int64
		lastHash := GenesisHash()
		batch.Queue(chainTailSQL).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&lastSeq, &lastHash)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
		ids := make([]pgtype.UUID, len(evs))
		datas := make([]string, len(evs))
		for i, e := range evs {
			ids[i], datas[i] = pgUUID(&e.EventID), string(e.Data)
		}
		canonical := make([]string, 0, len(evs))
		exists := make([]bool, 0, len(evs))
		batch.Queue(prepareSQL, ids, datas).Query(func(rows pgx.Rows) error {
			prepared, err := pgx.CollectRows(rows, pgx.RowToStructByPos[preparedRow])
			if err != nil {
				return fmt.Errorf("prepare audit rows: %w", err)
			}
			for _, p := range prepared {
				canonical, exists = append(canonical, p.Canonical), append(exists, p.Exists)
			}
			return nil
		})
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
		if len(canonical) != len(evs) {
			return fmt.Errorf("prepare audit rows: got %d rows for %d events", len(canonical), len(evs))
		}

		cols := newColumns(len(evs))
		for i, e := range evs {
			if exists[i] {
				res.Duplicates++
				continue
			}
			lastSeq++
			e.Seq = lastSeq
			e.PrevHash = lastHash
			e.Hash = ChainHash(lastHash, CanonicalContent(e, canonical[i]))
			lastHash = e.Hash
			cols.add(e, canonical[i])
		}
		res.LastSeq = lastSeq
		if len(cols.seq) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, insertSQL, cols.args()...)
		if err != nil {
			return fmt.Errorf("insert audit rows: %w", err)
		}
		// Under the lock no one else can have inserted these ids, so a
		// skipped row means a defect; committing would break the chain.
		if int(tag.RowsAffected()) != len(cols.seq) {
			return fmt.Errorf("insert audit rows: %d of %d inserted; chain not extended", tag.RowsAffected(), len(cols.seq))
		}
		res.Inserted = len(cols.seq)
		return nil
	})
	if err != nil {
		return AppendResult{}, fmt.Errorf("append %d audit events: %w", len(evs), err)
	}
	return res, nil
}

// uniqueByEventID keeps the first event of each id, in order.
func uniqueByEventID(evs []Event) []Event {
	seen := make(map[uuid.UUID]bool, len(evs))
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		if seen[e.EventID] {
			continue
		}
		seen[e.EventID] = true
		out = append(out, e)
	}
	return out
}

// columns holds rows column-wise for one unnest INSERT.
type columns struct {
	seq                                       []int64
	eventID, entityID, collectionID, actor    []pgtype.UUID
	typ, entityType, data, traceID, requestID []string
	version                                   []int32
	occurredAt, recordedAt                    []time.Time
	prevHash, hash                            [][]byte
}

func newColumns(n int) *columns {
	return &columns{
		seq: make([]int64, 0, n), eventID: make([]pgtype.UUID, 0, n), entityID: make([]pgtype.UUID, 0, n),
		collectionID: make([]pgtype.UUID, 0, n), actor: make([]pgtype.UUID, 0, n), typ: make([]string, 0, n),
		entityType: make([]string, 0, n), data: make([]string, 0, n), traceID: make([]string, 0, n),
		requestID: make([]string, 0, n), version: make([]int32, 0, n), occurredAt: make([]time.Time, 0, n),
		recordedAt: make([]time.Time, 0, n), prevHash: make([][]byte, 0, n), hash: make([][]byte, 0, n),
	}
}

func (c *columns) add(e Event, data string) {
	c.seq = append(c.seq, e.Seq)
	c.eventID = append(c.eventID, pgUUID(&e.EventID))
	c.typ = append(c.typ, string(e.Type))
	c.version = append(c.version, int32(e.Version))
	c.occurredAt = append(c.occurredAt, e.OccurredAt)
	c.recordedAt = append(c.recordedAt, e.RecordedAt)
	c.actor = append(c.actor, pgUUID(e.ActorUserID))
	c.entityType = append(c.entityType, e.Entity.Type)
	c.entityID = append(c.entityID, pgUUID(&e.Entity.ID))
	c.collectionID = append(c.collectionID, nullableUUID(e.Entity.CollectionID))
	c.data = append(c.data, data)
	c.traceID = append(c.traceID, e.TraceID)
	c.requestID = append(c.requestID, e.RequestID)
	c.prevHash = append(c.prevHash, e.PrevHash)
	c.hash = append(c.hash, e.Hash)
}

// pgUUID converts for pgx's native uuid codec (nil is NULL).
func pgUUID(id *uuid.UUID) pgtype.UUID {
	if id == nil {
		return pgtype.UUID{}
	}
	return pgtype.UUID{Bytes: *id, Valid: true}
}

// nullableUUID converts an id that uuid.Nil leaves out (a user event's
// collection) to NULL.
func nullableUUID(id uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: id, Valid: id != uuid.Nil}
}

func (c *columns) args() []any {
	return []any{c.seq, c.eventID, c.typ, c.version, c.occurredAt, c.recordedAt, c.actor, c.entityType,
		c.entityID, c.collectionID, c.data, c.traceID, c.requestID, c.prevHash, c.hash}
}

// eventColumns are the columns a query returns, in scanEvent's order.
const eventColumns = `a.seq, a.event_id, a.type, a.version, a.occurred_at, a.recorded_at, a.actor_user_id,
    a.entity_type, a.entity_id, a.collection_id, a.data::text, a.trace_id, a.request_id, a.prev_hash, a.hash`

// scanEvent reads eventColumns; it returns the data text as stored
// (canonical) for hashing.
func scanEvent(row pgx.Row) (Event, string, error) {
	var e Event
	var data string
	var coll pgtype.UUID // NULL for user events
	err := row.Scan(&e.Seq, &e.EventID, &e.Type, &e.Version, &e.OccurredAt, &e.RecordedAt, &e.ActorUserID,
		&e.Entity.Type, &e.Entity.ID, &coll, &data, &e.TraceID, &e.RequestID, &e.PrevHash, &e.Hash)
	if err != nil {
		return Event{}, "", err
	}
	if coll.Valid {
		e.Entity.CollectionID = coll.Bytes
	}
	e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
	e.Data = []byte(data)
	return e, data, nil
}

// ByEventID reads one recorded event.
func (Store) ByEventID(ctx context.Context, q db.Querier, id uuid.UUID) (Event, error) {
	e, _, err := scanEvent(q.QueryRow(ctx, `SELECT `+eventColumns+` FROM audit_events a WHERE a.event_id = $1`, id))
	if err != nil {
		return Event{}, fmt.Errorf("audit event %s: %w", id, err)
	}
	return e, nil
}

// Count returns how many events are recorded.
func (Store) Count(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit events: %w", err)
	}
	return n, nil
}
