package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/db/dbtest"
)

func TestMigrate_CreatesAtlasAndRiverTables(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	for _, table := range []string{"users", "collections", "memberships", "items", "tags", "item_tags", "river_job"} {
		var exists bool
		err := pool.QueryRow(context.Background(),
			`SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = $1)`, table).Scan(&exists)
		require.NoError(t, err)
		require.True(t, exists, "table %s missing after migrations", table)
	}
	// Migrating an up-to-date database is a no-op, not an error.
	require.NoError(t, db.Migrate(context.Background(), pool, nil))
}

func TestInTx_RollsBackOnError(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
			VALUES (gen_random_uuid(), 'a@example.com', 'A', 'x', now(), now())`)
		require.NoError(t, err)
		return boom
	})
	require.ErrorIs(t, err, boom)
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n))
	require.Zero(t, n, "rolled-back insert is visible")
}

func TestIsUniqueViolation_MatchesConstraint(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	const q = `INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
		VALUES (gen_random_uuid(), $1, 'A', 'x', now(), now())`
	_, err := pool.Exec(ctx, q, "dup@example.com")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, q, "DUP@example.com")
	require.True(t, db.IsUniqueViolation(err, "users_email_key"), "got %v", err)
	require.False(t, db.IsUniqueViolation(err, "other"))
	require.False(t, db.IsUniqueViolation(errors.New("x"), ""))
}

func TestIsUnavailable_ConnectionClassErrorsOnly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, connectErr := pgconn.Connect(ctx, "postgres://atlas:atlas@127.0.0.1:1/atlas?sslmode=disable&connect_timeout=2")
	require.Error(t, connectErr)
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"connect refused":     {fmt.Errorf("create item: %w", connectErr), true},
		"connection failure":  {&pgconn.PgError{Code: "08006"}, true},
		"admin shutdown":      {&pgconn.PgError{Code: "57P01"}, true},
		"cannot connect now":  {&pgconn.PgError{Code: "57P03"}, true},
		"pool wait timed out": {fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		"unique violation":    {&pgconn.PgError{Code: "23505"}, false},
		"query cancelled":     {&pgconn.PgError{Code: "57014"}, false},
		"plain error":         {errors.New("boom"), false},
		"no error":            {nil, false},
	} {
		assert.Equal(t, tc.want, db.IsUnavailable(tc.err), name)
	}
}
