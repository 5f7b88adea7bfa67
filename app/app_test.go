package app_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db/dbtest"
)

func TestNewCore_NeedsNoJWTSecretButTheAPIDoes(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom([]string{"ATLAS_ENV=production"})
	require.NoError(t, err)
	pool := dbtest.New(t)

	core, err := app.NewCore(app.Params{Config: cfg, Pool: pool})
	require.NoError(t, err, "the worker's services build without the API's secret")
	assert.NotNil(t, core.Items)
	assert.NotNil(t, core.Jobs)

	_, err = app.NewServices(app.Params{Config: cfg, Pool: pool})
	require.EqualError(t, err, "ATLAS_JWT_SECRET: required when ATLAS_ENV=production (at least 32 bytes; or use ATLAS_JWT_SECRET_FILE)")
}
