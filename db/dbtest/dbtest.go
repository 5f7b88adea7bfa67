// Package dbtest gives each test its own real Postgres database, cloned from
// a template that Atlas' migrations (and River's) built once per schema
// version. Tests run in parallel without sharing state.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"github.com/atlasapp/atlas/db"
)

// AdminURLEnv names the variable holding a superuser URL of the test server.
const AdminURLEnv = "ATLAS_TEST_DATABASE_URL"

// DefaultAdminURL is the superuser of the cluster ./scripts/postgres runs.
const DefaultAdminURL = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns the superuser URL tests connect with.
func AdminURL() string {
	if u := os.Getenv(AdminURLEnv); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Opts tunes New.
type Opts struct {
	// Tracer observes every query on the returned pool.
	Tracer pgx.QueryTracer
	// MaxConns caps the pool (default pgxpool's).
	MaxConns int32
}

// New returns a pool on a fresh, fully migrated database that is dropped
// when the test ends. It fails the test if Postgres is unreachable.
func New(t testing.TB, opts ...Opts) *pgxpool.Pool {
	t.Helper()
	var o Opts
	if len(opts) > 0 {
		o = opts[0]
	}
	conf := config(t)
	inst := pgtestdb.Custom(t, conf, migrator{})
	pool, err := db.Open(context.Background(), db.PoolParams{URL: inst.URL(), Tracer: o.Tracer, MaxConns: o.MaxConns})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// URL returns the connection URL of a fresh migrated database (for tests
// that start a whole process against it).
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, config(t), migrator{}).URL()
}

func config(t testing.TB) pgtestdb.Config {
	t.Helper()
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("parse %s: %v", AdminURLEnv, err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       port,
		User:       u.User.Username(),
		Password:   pw,
		Database:   trimSlash(u.Path),
		Options:    q.Encode(),
		// Workers and River clients may still hold connections when a test ends.
		ForceTerminateConnections: true,
	}
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
}

// migrator builds the template database with db.Migrate.
type migrator struct{}

func (migrator) Hash() (string, error) { return db.SchemaHash() }

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	pool, err := db.Open(ctx, db.PoolParams{URL: conf.URL(), MaxConns: 2})
	if err != nil {
		return fmt.Errorf("open template: %w", err)
	}
	defer pool.Close()
	return db.Migrate(ctx, pool, nil)
}
