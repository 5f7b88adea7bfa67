package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db/dbtest"
)

// explainRows is the size of the trail the query plans are checked at.
const explainRows = 1_000_000

// loadSQL fills audit_events with $1 synthetic rows cheaply: 1,000
// collections, 100,000 items, 5,000 actors (ids md5('c'||n), md5('i'||n),
// md5('u'||n), looked up in arrays built once), one event per second going
// back in time. Data and chain hashes are placeholders: this test is about
// plans, not verification.
const loadSQL = `
WITH c AS (SELECT array_agg(md5('c' || n)::uuid ORDER BY n) AS ids FROM generate_series(0, 999) n),
     i AS (SELECT array_agg(md5('i' || n)::uuid ORDER BY n) AS ids FROM generate_series(0, 99999) n),
     u AS (SELECT array_agg(md5('u' || n)::uuid ORDER BY n) AS ids FROM generate_series(0, 4999) n)
INSERT INTO audit_events (seq, event_id, type, version, occurred_at, recorded_at, actor_user_id,
    entity_type, entity_id, collection_id, data, trace_id, request_id, prev_hash, hash)
SELECT g, ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'ItemUpdated', 1,
       timestamptz '2026-01-01 00:00:00Z' - g * interval '1 second',
       timestamptz '2026-01-01 00:00:00Z' - g * interval '1 second',
       u.ids[g % 5000 + 1], 'item', i.ids[g % 100000 + 1], c.ids[g % 1000 + 1],
       '{"changes": {"title": {"before": "a", "after": "b"}}, "version": 2}',
       '4bf92f3577b34da6a3ce929d0e0e4736', 'req', sha256(''), sha256('')
FROM generate_series(1, $1::bigint) AS g, c, i, u`

// TestListQuery_UsesIndexesAtOneMillionRows checks the plan of every query
// shape of List against a million-row trail: no sequential scan of
// audit_events, and the intended index. The plans are logged (go test -v)
// for the README.
func TestListQuery_UsesIndexesAtOneMillionRows(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()

	start := time.Now()
	caller := seedMemberships(t, pool)
	bulkLoad(t, pool)
	t.Logf("loaded %d audit rows in %s", explainRows, time.Since(start).Round(time.Millisecond))

	var member, outside uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `SELECT md5('c' || 7)::uuid, md5('c' || 8)::uuid`).Scan(&member, &outside))
	var item, actor uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `SELECT md5('i' || 1007)::uuid, md5('u' || 7)::uuid`).Scan(&item, &actor))
	from := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	midway := &cursor.Keyset{At: time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC), ID: uuid.Max}

	shapes := []struct {
		name   string
		f      Filter
		member bool
		after  *cursor.Keyset
		index  string
	}{
		{"entity", Filter{EntityType: "item", EntityID: &item}, false, nil, "audit_events_entity_idx"},
		{"actor", Filter{ActorUserID: &actor}, false, nil, "audit_events_actor_idx"},
		{"collection and time range", Filter{CollectionID: &member, From: &from, To: &to}, true, nil, "audit_events_collection_idx"},
		{"collection, next page", Filter{CollectionID: &member, From: &from, To: &to}, true, midway, "audit_events_collection_idx"},
		{"collection of a non-member", Filter{CollectionID: &outside}, false, nil, "audit_events_entity_idx"},
		{"no filter", Filter{}, false, nil, "audit_events_collection_idx"},
	}
	for _, sh := range shapes {
		sql, args := listQuery(caller, sh.f, sh.member, sh.after, 51)
		var plan string
		rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+sql, args...)
		require.NoError(t, err, sh.name)
		for rows.Next() {
			require.NoError(t, rows.Scan(&plan))
		}
		require.NoError(t, rows.Err())
		var doc []struct {
			Plan          map[string]any `json:"Plan"`
			ExecutionTime float64        `json:"Execution Time"`
		}
		require.NoError(t, json.Unmarshal([]byte(plan), &doc))
		require.Len(t, doc, 1)
		nodes := flatten(doc[0].Plan)
		var used []string
		for _, n := range nodes {
			if n["Relation Name"] == "audit_events" {
				assert.NotEqual(t, "Seq Scan", n["Node Type"], "%s: sequential scan of audit_events", sh.name)
			}
			if idx, ok := n["Index Name"].(string); ok && strings.HasPrefix(idx, "audit_events_") {
				used = append(used, idx)
			}
		}
		assert.Contains(t, used, sh.index, "%s uses %s", sh.name, sh.index)
		assert.Less(t, doc[0].ExecutionTime, 500.0, "%s runs in milliseconds, even on a busy machine", sh.name)

		text := explainText(t, pool, sql, args)
		t.Logf("shape %q: %.2f ms\n%s", sh.name, doc[0].ExecutionTime, text)
	}
}

// bulkLoad runs loadSQL the fast way: it sets the table's indexes and
// unique constraints aside, loads, then rebuilds them from their exact
// definitions (those of the migration) and analyzes the table.
func bulkLoad(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var constraints, constraintDefs, indexDefs []string
	rows, err := pool.Query(ctx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'audit_events'::regclass AND contype IN ('p', 'u') ORDER BY conname`)
	require.NoError(t, err)
	for rows.Next() {
		var name, def string
		require.NoError(t, rows.Scan(&name, &def))
		constraints, constraintDefs = append(constraints, name), append(constraintDefs, def)
	}
	require.NoError(t, rows.Err())
	rows, err = pool.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_events'
		AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass)`)
	require.NoError(t, err)
	for rows.Next() {
		var def string
		require.NoError(t, rows.Scan(&def))
		indexDefs = append(indexDefs, def)
	}
	require.NoError(t, rows.Err())
	require.Len(t, constraints, 2, "primary key and unique event_id")
	require.Len(t, indexDefs, 3, "the three query-shape indexes")

	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := pool.Exec(ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	for _, def := range indexDefs {
		exec(`DROP INDEX ` + strings.Fields(def)[2])
	}
	for _, name := range constraints {
		exec(`ALTER TABLE audit_events DROP CONSTRAINT ` + name)
	}
	exec(`SET maintenance_work_mem = '256MB'`)
	exec(loadSQL, explainRows)
	for i, name := range constraints {
		exec(`ALTER TABLE audit_events ADD CONSTRAINT ` + name + ` ` + constraintDefs[i])
	}
	for _, def := range indexDefs {
		exec(def)
	}
	exec(`ANALYZE audit_events`)
}

// seedMemberships creates a caller who belongs to five of the synthetic
// collections (ids md5('c'||n)) and returns their id.
func seedMemberships(t *testing.T, pool *pgxpool.Pool) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	caller := uuid.New()
	_, err := pool.Exec(ctx, `INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
		VALUES ($1, 'explain@example.com', 'Explain', 'x', now(), now())`, caller)
	require.NoError(t, err)
	for _, sql := range []string{
		`INSERT INTO collections (id, name, created_at, updated_at)
			SELECT md5('c' || n)::uuid, 'c' || n, now(), now() FROM generate_series(0, 999) n`,
		`INSERT INTO memberships (collection_id, user_id, role, created_at, updated_at)
			SELECT md5('c' || n)::uuid, '` + caller.String() + `'::uuid, 'viewer', now(), now()
			FROM unnest(ARRAY[7, 107, 207, 307, 407]) n`,
		`ANALYZE users`, `ANALYZE collections`, `ANALYZE memberships`,
	} {
		_, err = pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	return caller
}

func flatten(n map[string]any) []map[string]any {
	out := []map[string]any{n}
	if kids, ok := n["Plans"].([]any); ok {
		for _, k := range kids {
			if m, ok := k.(map[string]any); ok {
				out = append(out, flatten(m)...)
			}
		}
	}
	return out
}

func explainText(t *testing.T, pool *pgxpool.Pool, sql string, args []any) string {
	t.Helper()
	rows, err := pool.Query(context.Background(), "EXPLAIN (COSTS OFF) "+sql, args...)
	require.NoError(t, err)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		fmt.Fprintln(&b, "    "+line)
	}
	require.NoError(t, rows.Err())
	return b.String()
}
