package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
)

// secureESEnv returns the ATLAS_ELASTICSEARCH_* settings of the private secured Elasticsearch
// (ATLAS_TEST_ES_SECURE_*, set by ./scripts/test), with password replacing the right one when it
// is not empty. It skips the test when ATLAS_TEST_ES_SECURE_URL is unset.
func secureESEnv(t *testing.T, password string) []string {
	t.Helper()
	url := os.Getenv("ATLAS_TEST_ES_SECURE_URL")
	if url == "" {
		t.Skip("ATLAS_TEST_ES_SECURE_URL is unset: no secured Elasticsearch (./scripts/test starts one)")
	}
	if password == "" {
		password = os.Getenv("ATLAS_TEST_ES_SECURE_PASSWORD")
	}
	return []string{"ATLAS_ELASTICSEARCH_URL=" + url, "ATLAS_ELASTICSEARCH_CA_FILE=" + os.Getenv("ATLAS_TEST_ES_SECURE_CA_FILE"),
		"ATLAS_ELASTICSEARCH_USERNAME=" + os.Getenv("ATLAS_TEST_ES_SECURE_USERNAME"), "ATLAS_ELASTICSEARCH_PASSWORD=" + password}
}

func kafkaBrokers() string {
	if b := os.Getenv("ATLAS_KAFKA_BROKERS"); b != "" {
		return b
	}
	return "127.0.0.1:9092"
}

func TestIndexer_RefusedElasticsearchPasswordLogsOneLineAndFailsReady(t *testing.T) {
	t.Parallel()
	env := secureESEnv(t, "not-the-password")
	ops := freeAddr(t)
	p := startAtlas(t, "indexer", append(env, "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_KAFKA_BROKERS="+kafkaBrokers(),
		"ATLAS_OPS_ADDR="+ops)...)

	p.waitLog(t, searchMisconfigured, 30*time.Second)
	waitStatus(t, "http://"+ops+"/ready", http.StatusServiceUnavailable, 10*time.Second)
	resp, err := http.Get("http://" + ops + "/ready")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), `"name":"elasticsearch","status":"fail"`)
	assert.Contains(t, string(body), "elasticsearch refused the credentials")
	assert.Equal(t, 1, strings.Count(p.logs.String(), searchMisconfigured), "one line says what is wrong")
	assert.NotContains(t, p.logs.String(), "not-the-password", "the password never shows in the logs")
	select {
	case <-p.done:
		t.Fatalf("the indexer exited instead of waiting for a fix:\n%s", p.logs.String())
	default:
	}
}

func TestServe_UntrustedElasticsearchCertificateLogsOneLineAtStart(t *testing.T) {
	t.Parallel()
	// A real CA file, but not the CA that signed Elasticsearch's certificate: the TLS Postgres'.
	otherCA := dbtest.TLSAdminURL(t).Query().Get("sslrootcert")
	env := append(secureESEnv(t, ""), "ATLAS_ELASTICSEARCH_CA_FILE="+otherCA) // the last setting wins
	addr := freeAddr(t)
	p := startAtlas(t, "serve", append(env, "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_HTTP_ADDR="+addr)...)
	p.waitLog(t, searchMisconfigured, 20*time.Second)
	assert.Contains(t, p.logs.String(), "TLS certificate is not trusted")
	waitStatus(t, "http://"+addr+"/health", http.StatusOK, 20*time.Second)
}

func TestMigrate_PostgresVerifyFull(t *testing.T) {
	t.Parallel()
	admin := dbtest.TLSAdminURL(t)
	u := dbtest.EmptyDatabase(t, admin)
	ok := startAtlas(t, "migrate", "ATLAS_ENV=production", "ATLAS_DATABASE_URL="+u.String())
	require.Zero(t, ok.exitCode(t, time.Minute), "migrate over verify-full:\n%s", ok.logs.String())

	wrong := *u
	wrong.Host = strings.Replace(u.Host, "localhost", "127.0.0.2", 1)
	start := time.Now()
	bad := startAtlas(t, "migrate", "ATLAS_ENV=production", "ATLAS_DATABASE_URL="+wrong.String())
	require.Equal(t, 1, bad.exitCode(t, 15*time.Second))
	assert.Less(t, time.Since(start), 10*time.Second)
	out := strings.TrimSpace(bad.logs.String())
	assert.Contains(t, out, "certificate is valid for 127.0.0.1, not 127.0.0.2")
	assert.Equal(t, 1, strings.Count(out, "\n")+1, "one line: %s", out)
}
