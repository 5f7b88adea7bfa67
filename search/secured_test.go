package search_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
)

// secureCluster is the private Elasticsearch with security and TLS on that ./scripts/test starts
// (ATLAS_ES_SECURE=1 scripts/elasticsearch start; `env` prints these).
type secureCluster struct {
	url, caFile, username, password, apiKey string
}

// secured returns the secured cluster, or skips the test when ATLAS_TEST_ES_SECURE_URL is unset
// (./scripts/test always sets it, so these tests run in CI).
func secured(t *testing.T) secureCluster {
	t.Helper()
	c := secureCluster{url: os.Getenv("ATLAS_TEST_ES_SECURE_URL"), caFile: os.Getenv("ATLAS_TEST_ES_SECURE_CA_FILE"),
		username: os.Getenv("ATLAS_TEST_ES_SECURE_USERNAME"), password: os.Getenv("ATLAS_TEST_ES_SECURE_PASSWORD"),
		apiKey: os.Getenv("ATLAS_TEST_ES_SECURE_API_KEY")}
	if c.url == "" {
		t.Skip("ATLAS_TEST_ES_SECURE_URL is unset: no secured Elasticsearch (./scripts/test starts one)")
	}
	require.NotEmpty(t, c.caFile, "ATLAS_TEST_ES_SECURE_CA_FILE")
	require.NotEmpty(t, c.username, "ATLAS_TEST_ES_SECURE_USERNAME")
	require.NotEmpty(t, c.password, "ATLAS_TEST_ES_SECURE_PASSWORD")
	require.NotEmpty(t, c.apiKey, "ATLAS_TEST_ES_SECURE_API_KEY")
	return c
}

// securedIndex builds an Index the way every Atlas process does, from the ATLAS_ELASTICSEARCH_*
// variables in env, on an alias of the test's own.
func securedIndex(t *testing.T, env ...string) *search.Index {
	t.Helper()
	alias := searchtest.Alias(t)
	cfg, err := config.LoadFrom(append(env, "ATLAS_ELASTICSEARCH_ALIAS="+alias))
	require.NoError(t, err)
	opts, err := params.Search(cfg)
	require.NoError(t, err)
	require.Equal(t, alias, opts.Alias, "ATLAS_ELASTICSEARCH_ALIAS names the alias")
	opts.Refresh = search.RefreshWaitFor
	ix, err := search.NewIndex(opts)
	require.NoError(t, err)
	t.Cleanup(ix.Close)
	return ix
}

func TestSecuredCluster_IndexesAndSearchesWithEachCredential(t *testing.T) {
	t.Parallel()
	es := secured(t)
	for name, creds := range map[string][]string{
		"basic auth": {"ATLAS_ELASTICSEARCH_USERNAME=" + es.username, "ATLAS_ELASTICSEARCH_PASSWORD=" + es.password},
		"API key":    {"ATLAS_ELASTICSEARCH_API_KEY=" + es.apiKey},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ix := securedIndex(t, append(creds, "ATLAS_ELASTICSEARCH_URL="+es.url, "ATLAS_ELASTICSEARCH_CA_FILE="+es.caFile)...)
			ctx := context.Background()
			require.NoError(t, ix.Ready(ctx))
			require.NoError(t, ix.EnsureIndex(ctx))
			t.Cleanup(func() { assert.NoError(t, ix.DeleteIndices(context.WithoutCancel(ctx))) })

			// The indexer's path: an item written to Postgres, synced into the index, found by a search.
			s := setupSync(t)
			syncer, err := search.NewSyncer(search.SyncerParams{DB: s.env.Pool, Index: ix})
			require.NoError(t, err)
			it := s.env.NewItem(t, s.owner, s.coll, item.CreateParams{Title: "Secured search works", Tags: []string{"tls"}})
			require.NoError(t, syncer.SyncItem(ctx, it.ID))
			res, err := ix.Search(ctx, search.Params{Query: "secured", CollectionIDs: []uuid.UUID{s.coll}})
			require.NoError(t, err)
			require.Len(t, res.Hits, 1)
			assert.Equal(t, it.ID, res.Hits[0].ID)
			assert.EqualValues(t, 1, s.get(t, it.ID).IndexedVersion, "the index acknowledged the write")
			count, err := ix.Count(ctx)
			require.NoError(t, err)
			assert.EqualValues(t, 1, count)
		})
	}
}

func TestSecuredCluster_UntrustedCertificateFailsFast(t *testing.T) {
	t.Parallel()
	es := secured(t)
	for name, caEnv := range map[string][]string{
		"another CA":         {"ATLAS_ELASTICSEARCH_CA_FILE=" + otherCA(t)},
		"system roots only":  nil,
		"right CA, bad host": nil, // below: the certificate names 127.0.0.1 and localhost only
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := es.url
			if name == "right CA, bad host" {
				url = "https://127.0.0.2" + es.url[len("https://127.0.0.1"):]
				caEnv = []string{"ATLAS_ELASTICSEARCH_CA_FILE=" + es.caFile}
			}
			ix := securedIndex(t, append(caEnv, "ATLAS_ELASTICSEARCH_URL="+url,
				"ATLAS_ELASTICSEARCH_USERNAME="+es.username, "ATLAS_ELASTICSEARCH_PASSWORD="+es.password)...)
			start := time.Now()
			err := ix.Ready(context.Background())
			require.Error(t, err)
			assert.Less(t, time.Since(start), 3*time.Second, "an untrusted certificate fails at once, it does not hang")
			assert.ErrorIs(t, err, search.ErrMisconfigured)
			assert.Contains(t, err.Error(), "TLS certificate is not trusted")
		})
	}
}

func TestSecuredCluster_WrongCredentialsFailTheReadyCheckWithTheReason(t *testing.T) {
	t.Parallel()
	es := secured(t)
	unknownKey := base64.StdEncoding.EncodeToString([]byte("no-such-key-id:" + hex.EncodeToString(make([]byte, 11))))
	for name, creds := range map[string][]string{
		"wrong password":  {"ATLAS_ELASTICSEARCH_USERNAME=" + es.username, "ATLAS_ELASTICSEARCH_PASSWORD=not-" + es.password},
		"unknown user":    {"ATLAS_ELASTICSEARCH_USERNAME=nobody", "ATLAS_ELASTICSEARCH_PASSWORD=" + es.password},
		"unknown API key": {"ATLAS_ELASTICSEARCH_API_KEY=" + unknownKey},
		"no credentials":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ix := securedIndex(t, append(creds, "ATLAS_ELASTICSEARCH_URL="+es.url, "ATLAS_ELASTICSEARCH_CA_FILE="+es.caFile)...)
			err := ix.Ready(context.Background())
			require.ErrorIs(t, err, search.ErrMisconfigured)

			rep := ops.NewReadiness(ops.ReadinessOpts{CacheTTL: -1}, ops.ElasticsearchCheck(ix)).Check(context.Background())
			require.False(t, rep.Ready())
			require.Len(t, rep.Checks, 1)
			res := rep.Checks[0]
			assert.Equal(t, "elasticsearch", res.Name)
			assert.Equal(t, ops.StatusFail, res.Status)
			assert.Contains(t, res.Error, "elasticsearch refused the credentials (wrong username/password or API key)")
			assert.Contains(t, res.Error, "status 401")
			assert.Less(t, res.LatencyMS, 2000.0)
			assert.NotContains(t, res.Error, es.password)
		})
	}
}

// otherCA writes the certificate of a CA that signed nothing the cluster presents.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Not the test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return p
}
