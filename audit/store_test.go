package audit_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/db/dbtest"
)

func TestAppend_BuildsAVerifiableChain(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()

	rep := verify(t, pool)
	require.True(t, rep.OK(), "an empty trail verifies")
	assert.Zero(t, rep.Rows)

	var all []audit.Event
	for batch := range 3 {
		evs := make([]audit.Event, 4)
		for i := range evs {
			evs[i] = newEvent(t, eventOpts{Data: map[string]any{"batch": batch, "i": i, "title": "x"}})
		}
		res := appendEvents(t, pool, evs...)
		assert.Equal(t, 4, res.Inserted)
		assert.Zero(t, res.Duplicates)
		assert.EqualValues(t, 4*(batch+1), res.LastSeq)
		all = append(all, evs...)
	}

	rep = verify(t, pool)
	require.True(t, rep.OK(), rep.String())
	assert.EqualValues(t, 12, rep.Rows)
	assert.EqualValues(t, 12, rep.LastSeq)

	prev := audit.GenesisHash()
	for i, want := range all {
		got, err := audit.Store{}.ByEventID(ctx, pool, want.EventID)
		require.NoError(t, err)
		assert.EqualValues(t, i+1, got.Seq, "rows are chained in append order")
		assert.Equal(t, prev, got.PrevHash)
		assert.Len(t, got.Hash, 32)
		assert.Equal(t, want.Type, got.Type)
		assert.True(t, want.OccurredAt.Equal(got.OccurredAt))
		assert.True(t, want.RecordedAt.Equal(got.RecordedAt))
		assert.Equal(t, want.ActorUserID, got.ActorUserID)
		assert.Equal(t, want.Entity, got.Entity)
		assert.JSONEq(t, string(want.Data), string(got.Data))
		assert.Equal(t, want.TraceID, got.TraceID)
		assert.Equal(t, want.RequestID, got.RequestID)
		prev = got.Hash
	}
	assert.Equal(t, prev, rep.LastHash)
}

func TestAppend_SameEventTwiceYieldsOneRow(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	a, b := newEvent(t, eventOpts{}), newEvent(t, eventOpts{})

	res := appendEvents(t, pool, a, a, b)
	assert.Equal(t, 2, res.Inserted)
	assert.Equal(t, 1, res.Duplicates, "a repeat within the batch is skipped")

	c := newEvent(t, eventOpts{})
	res = appendEvents(t, pool, b, c, a)
	assert.Equal(t, 1, res.Inserted)
	assert.Equal(t, 2, res.Duplicates, "events already recorded are skipped")
	assert.EqualValues(t, 3, res.LastSeq)

	res = appendEvents(t, pool, a, b, c)
	assert.Zero(t, res.Inserted)
	assert.EqualValues(t, 3, count(t, pool))
	rep := verify(t, pool)
	require.True(t, rep.OK(), "skipped duplicates leave no hole in the chain: %s", rep)
	assert.EqualValues(t, 3, rep.Rows)
}

func TestAppend_ConcurrentAppendersKeepOneChain(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t, dbtest.Opts{MaxConns: 10})
	shared := newEvent(t, eventOpts{}) // every appender also tries this one
	const appenders, batches, perBatch = 6, 10, 8
	var wg sync.WaitGroup
	errs := make(chan error, appenders*batches)
	for range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range batches {
				evs := []audit.Event{shared}
				for range perBatch {
					evs = append(evs, newEvent(t, eventOpts{}))
				}
				_, err := audit.Store{}.Append(context.Background(), pool, evs)
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	want := int64(appenders*batches*perBatch + 1)
	assert.Equal(t, want, count(t, pool))
	rep := verify(t, pool)
	require.True(t, rep.OK(), rep.String())
	assert.Equal(t, want, rep.Rows)
	assert.Equal(t, want, rep.LastSeq, "seq runs 1..n with no fork or gap")
}

func TestAuditEvents_DatabaseRefusesUpdateDeleteAndTruncate(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	e := newEvent(t, eventOpts{})
	appendEvents(t, pool, e)
	ctx := context.Background()

	for name, sql := range map[string]string{
		"update":   `UPDATE audit_events SET request_id = 'forged' WHERE event_id = $1`,
		"delete":   `DELETE FROM audit_events WHERE event_id = $1`,
		"truncate": `TRUNCATE audit_events`,
	} {
		var args []any
		if name != "truncate" {
			args = append(args, e.EventID)
		}
		_, err := pool.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%s must fail at the database, got %v", name, err)
		assert.Equal(t, pgerrcode.InsufficientPrivilege, pgErr.Code, name)
		assert.Contains(t, pgErr.Message, "append-only", name)
	}
	got, err := audit.Store{}.ByEventID(ctx, pool, e.EventID)
	require.NoError(t, err)
	assert.Equal(t, e.RequestID, got.RequestID)
	assert.EqualValues(t, 1, count(t, pool))
}

func TestVerify_ReportsTheFirstBrokenLink(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		tamper     string
		wantSeq    int64
		wantReason string
	}{
		"changed data": {
			tamper:     `UPDATE audit_events SET data = '{"title": "forged"}' WHERE seq = 3`,
			wantSeq:    3,
			wantReason: "altered",
		},
		"changed actor": {
			tamper:     `UPDATE audit_events SET actor_user_id = gen_random_uuid() WHERE seq = 2`,
			wantSeq:    2,
			wantReason: "altered",
		},
		"changed time": {
			tamper:     `UPDATE audit_events SET occurred_at = occurred_at - interval '1 day' WHERE seq = 4`,
			wantSeq:    4,
			wantReason: "altered",
		},
		"deleted row": {
			tamper:     `DELETE FROM audit_events WHERE seq = 3`,
			wantSeq:    4,
			wantReason: "missing",
		},
		"overwritten hash": {
			tamper:     `UPDATE audit_events SET hash = sha256(hash) WHERE seq = 3`,
			wantSeq:    3,
			wantReason: "altered",
		},
		"relinked prev_hash": {
			tamper:     `UPDATE audit_events SET prev_hash = sha256(prev_hash) WHERE seq = 5`,
			wantSeq:    5,
			wantReason: "prev_hash",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pool := dbtest.New(t)
			for i := range 6 {
				appendEvents(t, pool, newEvent(t, eventOpts{Data: map[string]any{"title": "t", "i": i}}))
			}
			require.True(t, verify(t, pool).OK())

			tamper(t, pool, tc.tamper)
			rep := verify(t, pool)
			require.False(t, rep.OK(), "tampering must be detected")
			assert.Equal(t, tc.wantSeq, rep.Broken.Seq, rep.String())
			assert.Contains(t, rep.Broken.Reason, tc.wantReason)
			good := tc.wantSeq - 1
			if name == "deleted row" {
				good-- // row 3 is gone
			}
			assert.EqualValues(t, good, rep.Rows, "rows before the break are reported good")
			assert.Contains(t, rep.String(), "BROKEN")
		})
	}
}

func TestVerify_DetectsAForgerWhoRehashesOneRow(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	for i := range 4 {
		appendEvents(t, pool, newEvent(t, eventOpts{Data: map[string]any{"i": i}}))
	}
	ctx := context.Background()
	row2, err := audit.Store{}.ByEventID(ctx, pool, eventIDAt(t, pool, 2))
	require.NoError(t, err)

	// Change row 2 and give it a correct hash for its new content.
	row2.RequestID = "forged"
	var canonical string
	require.NoError(t, pool.QueryRow(ctx, `SELECT data::text FROM audit_events WHERE seq = 2`).Scan(&canonical))
	forged := audit.ChainHash(row2.PrevHash, audit.CanonicalContent(row2, canonical))
	require.False(t, bytes.Equal(forged, row2.Hash))
	tamper(t, pool, `UPDATE audit_events SET request_id = 'forged', hash = $1 WHERE seq = 2`, forged)

	rep := verify(t, pool)
	require.False(t, rep.OK())
	assert.EqualValues(t, 3, rep.Broken.Seq, "the next row no longer links to the rehashed row")
	assert.Contains(t, rep.Broken.Reason, "prev_hash")
}

func eventIDAt(t *testing.T, pool *pgxpool.Pool, seq int64) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT event_id FROM audit_events WHERE seq = $1`, seq).Scan(&id))
	return id
}
