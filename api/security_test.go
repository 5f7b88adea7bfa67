package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
)

func TestSecurityHeaders_OnEveryResponse(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	cases := map[string]apitest.Response{
		"api json":      env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil),
		"api problem":   env.Do(t, http.MethodGet, "/api/v1/auth/me", "", nil),
		"openapi":       env.Do(t, http.MethodGet, "/openapi.json", "", nil),
		"dashboard":     env.Do(t, http.MethodGet, "/", "", nil),
		"spa route":     env.Do(t, http.MethodGet, "/collections/whatever", "", nil),
		"river ui":      env.Do(t, http.MethodGet, "/riverui/", "", nil),
		"bad method":    env.Do(t, http.MethodPut, "/api/v1/auth/login", "", nil),
		"too large 413": env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": strings.Repeat("a", 2<<20)}),
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			h := resp.Header
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
			assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
			assert.Equal(t, "same-origin", h.Get("Referrer-Policy"))
			assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'")
			assert.Contains(t, h.Get("Content-Security-Policy"), "object-src 'none'")
			assert.Empty(t, h.Get("Strict-Transport-Security"), "no HSTS in development")
			assert.Empty(t, h.Get("Access-Control-Allow-Origin"), "no CORS unless configured")
		})
	}
	assert.Contains(t, cases["api json"].Header.Get("Content-Security-Policy"), "script-src 'self';")
	assert.Contains(t, cases["river ui"].Header.Get("Content-Security-Policy"), "style-src 'self' 'unsafe-inline'")
	assert.NotContains(t, cases["dashboard"].Header.Get("Content-Security-Policy"), "unsafe-inline")
}

func TestSecurityHeaders_DocsPageMayLoadItsPinnedRenderer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := env.Do(t, http.MethodGet, "/docs", "", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src https://unpkg.com/@stoplight/elements@")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Contains(t, csp, "connect-src 'self'")
	assert.Contains(t, string(resp.Body), `integrity="sha384-`, "the CDN script is pinned with subresource integrity")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

func TestSecurityHeaders_HSTSInProduction(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.Env = config.EnvProduction }})
	resp := env.Do(t, http.MethodGet, "/openapi.json", "", nil)
	assert.Equal(t, "max-age=63072000; includeSubDomains", resp.Header.Get("Strict-Transport-Security"))
}

func TestCORS_OnlyConfiguredOrigins(t *testing.T) {
	t.Parallel()
	const allowed = "https://app.example.com"
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.CORSOrigins = []string{allowed} }})
	u := env.NewUser(t)
	preflight := func(origin string) apitest.Response {
		return env.Do(t, http.MethodOptions, "/api/v1/collections", "", nil,
			"Origin", origin, "Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "authorization,content-type")
	}

	resp := preflight(allowed)
	require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, resp.Status)
	assert.Equal(t, allowed, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "PATCH")
	assert.Contains(t, strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization")
	assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"), "a configured origin may refresh with the session cookie")

	assert.Empty(t, preflight("https://evil.example.net").Header.Get("Access-Control-Allow-Origin"))

	get := env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil, "Origin", allowed)
	require.Equal(t, http.StatusOK, get.Status)
	assert.Equal(t, allowed, get.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, get.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id")
	other := env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil, "Origin", "https://evil.example.net")
	assert.Empty(t, other.Header.Get("Access-Control-Allow-Origin"))
}

func TestCORS_NoneByDefault(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := env.Do(t, http.MethodOptions, "/api/v1/collections", "", nil,
		"Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"))
}

func TestBodyLimit_GlobalCap(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.MaxBodyBytes = 2048 }})
	big := map[string]any{"email": "big@example.com", "password": strings.Repeat("p", 4000), "display_name": "Big"}

	// Declared length over the cap: refused before any handler runs.
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Map(t)["detail"], "at most 2048 bytes")

	// Unknown length (chunked): cut off while the handler reads.
	b, err := json.Marshal(big)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, env.URL+"/api/v1/auth/register", io.MultiReader(bytes.NewReader(b)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	r, err := env.Client.Do(req)
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)

	// A body under the cap is served as usual.
	small := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]any{
		"email": "small@example.com", "password": "correct horse battery", "display_name": "Small"})
	require.Equal(t, http.StatusCreated, small.Status, "%s", small.Body)
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogs_RequestLineFieldsAndNoSecrets(t *testing.T) {
	t.Parallel()
	var sink syncBuffer
	log := slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env := apitest.New(t, apitest.Opts{Logger: log})
	cfg := env.Config

	const password = "s3cret-Pa55word-never-logged"
	email := "logs-" + strings.ToLower(t.Name()[:4]) + "@example.com"
	reg := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]any{"email": email, "password": password, "display_name": "Logs"})
	require.Equal(t, http.StatusCreated, reg.Status, "%s", reg.Body)
	require.Equal(t, http.StatusUnauthorized, login(t, env, email, password+"-wrong").Status)
	tok := login(t, env, email, password)
	require.Equal(t, http.StatusOK, tok.Status)
	token := tok.Map(t)["access_token"].(string)
	userID := reg.Map(t)["id"].(string)
	me := env.Do(t, http.MethodGet, "/api/v1/auth/me", token, nil, "X-Request-ID", "req-logs-1",
		"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	require.Equal(t, http.StatusOK, me.Status)
	c := env.Do(t, http.MethodPost, "/api/v1/collections", token, map[string]any{"name": "Logged"})
	require.Equal(t, http.StatusCreated, c.Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/auth/me", token+"tampered", nil).Status)
	env.HTTP.Close() // every access log line is written

	logs := sink.String()
	for name, secret := range map[string]string{
		"password": password, "wrong password": password + "-wrong", "token": token,
		"token payload": strings.Split(token, ".")[1], "token signature": strings.Split(token, ".")[2],
		"jwt secret": cfg.JWTSecret.Value(), "authorization header": "Bearer ",
	} {
		assert.NotContains(t, logs, secret, "the %s appears in the logs", name)
	}

	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "log lines are JSON: %s", sc.Text())
		if m["msg"] == "request" && m["request_id"] == "req-logs-1" {
			line = m
		}
	}
	require.NotNil(t, line, "no access log line for the request:\n%s", logs)
	assert.Equal(t, "GET", line["method"])
	assert.Equal(t, "/api/v1/auth/me", line["route"])
	assert.EqualValues(t, 200, line["status"])
	assert.Positive(t, line["duration"])
	assert.Positive(t, line["bytes"])
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", line["trace_id"])
	assert.Equal(t, userID, line["user_id"])
	assert.Equal(t, "INFO", line["level"])
}

func TestOpenAPI_DocumentsEdgeAnswersOfOperationsWithBodies(t *testing.T) {
	t.Parallel()
	oapi := api.NewServer(api.Params{}).API().OpenAPI()
	withBody := 0
	for path, item := range oapi.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil || op.RequestBody == nil {
				continue
			}
			withBody++
			for _, code := range []string{"400", "413"} {
				resp, ok := op.Responses[code]
				if assert.True(t, ok, "%s %s documents %s", method, path, code) {
					assert.Contains(t, resp.Content, "application/problem+json")
				}
			}
		}
	}
	assert.Greater(t, withBody, 5)
}

// Found by scripts/fuzz: Postgres cannot store NUL in text; such input is
// the client's mistake (422), never a server error.
func TestInput_NULInTextIsUnprocessable(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	resp := env.Do(t, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/items", u.Token, map[string]any{"title": "nul\u0000byte"})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
	assert.Contains(t, resp.Map(t)["detail"], "NUL")
	resp = env.Do(t, http.MethodPost, "/api/v1/collections", u.Token, map[string]any{"name": "\u0000"})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
}
