package audit_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
)

const waitTimeout = 60 * time.Second

// eventOpts shapes a test event; zero fields get random values.
type eventOpts struct {
	Type         events.Type
	Actor        *uuid.UUID
	Entity       events.Entity
	Data         any
	OccurredAt   time.Time
	RequestID    string
	NoActorField bool
}

// newEnvelope builds a schema-valid envelope.
func newEnvelope(t testing.TB, o eventOpts) events.Envelope {
	t.Helper()
	if o.Type == "" {
		o.Type = events.ItemUpdated
	}
	if o.Entity.Type == "" {
		o.Entity = events.Entity{Type: events.EntityItem, ID: uuid.New(), CollectionID: uuid.New()}
	}
	if o.Actor == nil && !o.NoActorField {
		a := uuid.New()
		o.Actor = &a
	}
	if o.RequestID == "" {
		o.RequestID = "req-" + uuid.NewString()[:8]
	}
	meta := events.Meta{TraceID: events.NewTraceID(), RequestID: o.RequestID}
	if !o.OccurredAt.IsZero() {
		at := o.OccurredAt
		meta.NowFunc = func() time.Time { return at }
	}
	env, err := events.New(o.Type, o.Actor, o.Entity, o.Data, meta)
	require.NoError(t, err)
	return env
}

// newEvent builds an unchained audit row from a fresh envelope.
func newEvent(t testing.TB, o eventOpts) audit.Event {
	t.Helper()
	return toEvent(newEnvelope(t, o))
}

func toEvent(env events.Envelope) audit.Event {
	return audit.Event{
		EventID: env.EventID, Type: env.Type, Version: env.Version, OccurredAt: env.OccurredAt,
		RecordedAt: time.Now().UTC().Truncate(time.Microsecond), ActorUserID: env.ActorUserID,
		Entity: env.Entity, Data: env.Data, TraceID: env.TraceID, RequestID: env.RequestID,
	}
}

func appendEvents(t testing.TB, pool *pgxpool.Pool, evs ...audit.Event) audit.AppendResult {
	t.Helper()
	res, err := audit.Store{}.Append(context.Background(), pool, evs)
	require.NoError(t, err)
	return res
}

func count(t testing.TB, pool *pgxpool.Pool) int64 {
	t.Helper()
	n, err := audit.Store{}.Count(context.Background(), pool)
	require.NoError(t, err)
	return n
}

func verify(t testing.TB, pool *pgxpool.Pool) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), pool)
	require.NoError(t, err)
	return rep
}

// superuser connects to the test database as the cluster's superuser, who
// can bypass triggers (as a rogue administrator could).
func superuser(t testing.TB, pool *pgxpool.Pool) *pgx.Conn {
	t.Helper()
	u, err := url.Parse(dbtest.AdminURL())
	require.NoError(t, err)
	u.Path = "/" + pool.Config().ConnConfig.Database
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// tamper runs sql as a superuser with triggers disabled for the session.
func tamper(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	conn := superuser(t, pool)
	ctx := context.Background()
	_, err := conn.Exec(ctx, `SET session_replication_role = replica`)
	require.NoError(t, err)
	tag, err := conn.Exec(ctx, sql, args...)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected(), "tampering touches one row")
}
