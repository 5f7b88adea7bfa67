package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TLSURLEnv names the variable holding the superuser URL (sslmode=verify-full, sslrootcert=the
// test CA) of the private TLS-only Postgres that ./scripts/test starts (ATLAS_PG_TLS=1
// scripts/postgres start; `scripts/postgres env` prints it).
const TLSURLEnv = "ATLAS_TEST_PG_TLS_URL"

// TLSAdminURL returns the TLS cluster's superuser URL, or skips the test when TLSURLEnv is unset
// (./scripts/test always sets it, so the tests that need it run in CI).
func TLSAdminURL(t testing.TB) *url.URL {
	t.Helper()
	raw := os.Getenv(TLSURLEnv)
	if raw == "" {
		t.Skip(TLSURLEnv + " is unset: no TLS Postgres (./scripts/test starts one)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", TLSURLEnv, err)
	}
	if u.Query().Get("sslmode") != "verify-full" {
		t.Fatalf("%s must use sslmode=verify-full", TLSURLEnv)
	}
	return u
}

// EmptyDatabase creates an empty database on admin's server, dropped when the test ends, and
// returns its URL (admin's, with the database's name).
func EmptyDatabase(t testing.TB, admin *url.URL) *url.URL {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		t.Fatalf("connect to %s: %v", admin.Redacted(), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "atlas_empty_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		_ = conn.Close(ctx)
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u := *admin
	u.Path = "/" + name
	return &u
}
