package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db/dbtest"
)

func TestOpenPool_EveryProcessHonoursDBMaxConns(t *testing.T) {
	t.Parallel()
	url := dbtest.New(t).Config().ConnString()
	cfg, err := config.LoadFrom([]string{"ATLAS_JWT_SECRET=test-secret-test-secret-test-secret-0123",
		"ATLAS_DATABASE_URL=" + url, "ATLAS_DB_MAX_CONNS=7"})
	require.NoError(t, err)
	pool, err := openPool(context.Background(), cfg)
	require.NoError(t, err)
	defer pool.Close()
	require.EqualValues(t, 7, pool.Config().MaxConns)
}
