package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
)

// toolConns is the pool size of the one-shot tools (migrate, audit verify,
// search rebuild, reconcile, events replay-dlq), which run a query at a
// time. Every process opens its pool here (openPool or openToolPool), never
// with a size of its own (TestPools_OpenedOnlyHere).
const toolConns = 2

// openPool opens the Postgres pool of a long-running process, sized by
// ATLAS_DB_MAX_CONNS, so an operator can size every process the same way.
func openPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	return db.Open(ctx, db.PoolParams{URL: cfg.DatabaseURL.Value(), MaxConns: cfg.DBMaxConns})
}

// openToolPool opens the small pool of a one-shot tool.
func openToolPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	return db.Open(ctx, db.PoolParams{URL: cfg.DatabaseURL.Value(), MaxConns: toolConns})
}
