package db_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/item"
)

func TestOpen_VerifyFullMigratesAndServesTheDomain(t *testing.T) {
	t.Parallel()
	u := dbtest.EmptyDatabase(t, dbtest.TLSAdminURL(t))
	ctx := context.Background()
	// The configuration accepts the URL in production as it is, without a warning.
	cfg, err := config.LoadFrom([]string{"ATLAS_ENV=production", "ATLAS_JWT_SECRET=" + strings.Repeat("k", 32), "ATLAS_DATABASE_URL=" + u.String()})
	require.NoError(t, err)
	assert.Empty(t, cfg.Warnings())

	pool, err := db.Open(ctx, db.PoolParams{URL: cfg.DatabaseURL.Value(), MaxConns: 4})
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var ssl bool
	var version string
	require.NoError(t, pool.QueryRow(ctx, "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl, &version))
	assert.True(t, ssl, "the session is encrypted")
	assert.Contains(t, version, "TLSv1.")

	require.NoError(t, db.Migrate(ctx, pool, nil), "Atlas' and River's migrations run over TLS")

	// A round trip through the domain services: a user, a collection, an item (its event in the
	// outbox, its enrichment job inserted through River), read back.
	svc, err := app.NewServices(app.Params{Config: cfg, Pool: pool, PasswordHash: apitest.CheapHash})
	require.NoError(t, err)
	user, err := svc.Accounts.Register(ctx, account.RegisterParams{Email: "tls@example.com", Password: "correct horse battery"})
	require.NoError(t, err)
	coll, err := svc.Collections.Create(ctx, user.ID, collection.CreateParams{Name: "Over TLS"})
	require.NoError(t, err)
	it, err := svc.Items.Create(ctx, user.ID, coll.ID, item.CreateParams{Title: "verify-full", SourceURL: "https://example.com/tls"})
	require.NoError(t, err)
	got, err := svc.Items.Get(ctx, user.ID, it.ID)
	require.NoError(t, err)
	assert.Equal(t, "verify-full", got.Title)
	var jobs int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM river_job").Scan(&jobs))
	assert.Equal(t, 1, jobs, "the item's enrichment job went in through River")
}

func TestOpen_VerifyFullRefusesAWrongHostOrCA(t *testing.T) {
	t.Parallel()
	admin := dbtest.TLSAdminURL(t)
	wrongHost := *admin
	wrongHost.Host = strings.Replace(admin.Host, "localhost", "127.0.0.2", 1) // listens, but not in the certificate
	noCA := *admin
	q := noCA.Query()
	q.Del("sslrootcert") // the system's roots do not include the test CA
	noCA.RawQuery = q.Encode()
	plain := *admin
	q = plain.Query()
	q.Set("sslmode", "disable")
	plain.RawQuery = q.Encode()
	for _, tc := range []struct {
		name string
		url  url.URL
		want string
	}{
		{"host not in the certificate", wrongHost, "certificate is valid for 127.0.0.1, not 127.0.0.2"},
		{"CA not trusted", noCA, "certificate signed by unknown authority"},
		{"plain text refused by the server", plain, "no encryption"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := db.Open(ctx, db.PoolParams{URL: tc.url.String(), MaxConns: 1})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "postgres:postgres", "the error does not show the password")
			assert.Less(t, time.Since(start), 5*time.Second, "refused at once, not after a hang")
		})
	}
}
