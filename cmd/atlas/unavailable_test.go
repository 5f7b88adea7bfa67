package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
)

// privatePostgres runs scripts/postgres with a port and data directory of
// its own (never the shared cluster) and removes it when the test ends.
type privatePostgres struct {
	env []string
}

func startPrivatePostgres(t *testing.T, port int) *privatePostgres {
	t.Helper()
	dir := t.TempDir()
	// initdb and the server run as the postgres user: it must reach the data directory.
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	p := &privatePostgres{env: append(os.Environ(), fmt.Sprintf("ATLAS_PG_PORT=%d", port),
		"ATLAS_PG_DATA="+filepath.Join(dir, "pg", "data"))}
	p.run(t, "start")
	t.Cleanup(func() { p.run(t, "stop") })
	return p
}

func (p *privatePostgres) run(t *testing.T, action string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	cmd := exec.Command(filepath.Join(root, "scripts", "postgres"), action)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "scripts/postgres %s: %s", action, out)
}

// TestServe_PostgresDownAnswers503WithRetryAfterAndRecovers stops the
// API's (private) Postgres under it: requests that need the database get
// 503 with Retry-After, never 500, /ready fails, and once Postgres is back
// the same process serves again without a restart.
func TestServe_PostgresDownAnswers503WithRetryAfterAndRecovers(t *testing.T) {
	t.Parallel()
	const port = 15439
	pg := startPrivatePostgres(t, port)
	dbURL := fmt.Sprintf("postgres://atlas:atlas@127.0.0.1:%d/atlas?sslmode=disable", port)
	migrate := startAtlas(t, "migrate", "ATLAS_DATABASE_URL="+dbURL)
	require.Zero(t, migrate.exitCode(t, time.Minute), "migrate")

	addr := freeAddr(t)
	base := "http://" + addr
	startAtlas(t, "serve", "ATLAS_DATABASE_URL="+dbURL, "ATLAS_HTTP_ADDR="+addr)
	waitStatus(t, base+"/ready", http.StatusOK, 30*time.Second)
	// register may run in a require.EventuallyWithT condition: t is then its CollectT.
	register := func(t apitest.T, email string) *http.Response {
		body := fmt.Sprintf(`{"email":%q,"password":"correct horse battery","display_name":"Down Test"}`, email)
		resp, err := http.Post(base+"/api/v1/auth/register", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusCreated, register(t, "before@example.com").StatusCode)

	pg.run(t, "stop")
	resp := register(t, "during@example.com")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a database outage is not an internal error")
	assert.Equal(t, retryAfterForTest, resp.Header.Get("Retry-After"))
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	waitStatus(t, base+"/ready", http.StatusServiceUnavailable, 30*time.Second)

	pg.run(t, "start")
	waitStatus(t, base+"/ready", http.StatusOK, 30*time.Second)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Equal(collect, http.StatusCreated, register(collect, "after@example.com").StatusCode)
	}, 30*time.Second, 100*time.Millisecond, "the API serves again without a restart")
}

// retryAfterForTest is the Retry-After the API sends during a database
// outage (api.retryAfterUnavailable).
const retryAfterForTest = "5"
