package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db/dbtest"
)

// TestOpenPool_SizesByProcessKind: a long-running process's pool is sized
// by ATLAS_DB_MAX_CONNS, a one-shot tool's is the small one whatever it says.
func TestOpenPool_SizesByProcessKind(t *testing.T) {
	t.Parallel()
	url := dbtest.New(t).Config().ConnString()
	cfg, err := config.LoadFrom([]string{"ATLAS_JWT_SECRET=test-secret-test-secret-test-secret-0123",
		"ATLAS_DATABASE_URL=" + url, "ATLAS_DB_MAX_CONNS=7"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		open func(context.Context, config.Config) (*pgxpool.Pool, error)
		want int32
	}{{"openPool", openPool, 7}, {"openToolPool", openToolPool, toolConns}} {
		pool, err := tc.open(context.Background(), cfg)
		require.NoError(t, err, tc.name)
		assert.EqualValues(t, tc.want, pool.Config().MaxConns, tc.name)
		pool.Close()
	}
}

// TestPools_OpenedOnlyHere fails when a subcommand opens a Postgres pool of
// its own (db.Open, pgxpool.New...) instead of openPool or openToolPool, as
// `atlas reconcile` and `atlas events` once did with a hard-coded size.
func TestPools_OpenedOnlyHere(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	opens := map[string]bool{"db.Open": true, "pgxpool.New": true, "pgxpool.NewWithConfig": true}
	for _, name := range files {
		if name == "pool.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok {
				assert.False(t, opens[pkg.Name+"."+sel.Sel.Name], "%s calls %s.%s: use openPool or openToolPool", name, pkg.Name, sel.Sel.Name)
			}
			return true
		})
	}
}
