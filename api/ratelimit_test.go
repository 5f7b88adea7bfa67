package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
)

// limited starts the API with rate limits on.
func limited(t *testing.T, authPerMinute, userPerMinute int, configure ...func(*config.Config)) *apitest.Env {
	t.Helper()
	return apitest.New(t, apitest.Opts{Configure: func(c *config.Config) {
		on := true
		c.RateLimitEnabled = &on
		c.RateLimitAuthPerMinute = authPerMinute
		c.RateLimitUserPerMinute = userPerMinute
		for _, f := range configure {
			f(c)
		}
	}})
}

func login(t *testing.T, env *apitest.Env, email, password string, headers ...string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": email, "password": password}, headers...)
}

// requireTooMany checks a 429 answer: Retry-After and a problem body.
func requireTooMany(t *testing.T, resp apitest.Response, mention string) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, resp.Status, "%s", resp.Body)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	body := resp.Map(t)
	assert.Equal(t, "Too Many Requests", body["title"])
	assert.EqualValues(t, 429, body["status"])
	assert.Contains(t, body["detail"], mention)
	assert.NotEmpty(t, resp.Header.Get("X-Request-ID"), "refused requests are still correlated")
}

func TestRateLimit_LoginAndRegisterPerIP(t *testing.T) {
	t.Parallel()
	env := limited(t, 3, 1000)
	for i := range 3 {
		resp := login(t, env, fmt.Sprintf("nobody-%d@example.com", i), "wrong password!!")
		require.Equal(t, http.StatusUnauthorized, resp.Status, "attempt %d: %s", i+1, resp.Body)
		assert.Equal(t, "3", resp.Header.Get("X-RateLimit-Limit"))
	}
	requireTooMany(t, login(t, env, "someone-else@example.com", "wrong password!!"), "from this address")
	// Registration shares the budget of the address.
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]any{
		"email": "new@example.com", "password": "correct horse battery", "display_name": "New"})
	requireTooMany(t, resp, "from this address")
	// Other routes are not affected.
	u := env.NewUser(t)
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil).Status)
}

func TestRateLimit_LoginPerEmailAcrossAddresses(t *testing.T) {
	t.Parallel()
	env := limited(t, 3, 1000, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} })
	victim := env.NewUser(t)
	from := func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)} }

	// The body reaches the handler intact: the right password logs in.
	require.Equal(t, http.StatusOK, login(t, env, victim.Email, "correct horse battery", from(1)...).Status)
	require.Equal(t, http.StatusUnauthorized, login(t, env, "  "+strings.ToUpper(victim.Email), "guess one!!", from(2)...).Status)
	require.Equal(t, http.StatusUnauthorized, login(t, env, victim.Email, "guess two!!", from(3)...).Status)
	requireTooMany(t, login(t, env, victim.Email, "guess three!!", from(4)...), "for this email address")
	// Another account from a fresh address is not affected.
	require.Equal(t, http.StatusUnauthorized, login(t, env, "other@example.com", "whatever!!", from(5)...).Status)
}

func TestRateLimit_ForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	env := limited(t, 2, 1000) // no trusted proxies: the TCP peer is the client
	for i := range 2 {
		resp := login(t, env, fmt.Sprintf("a%d@example.com", i), "wrong password!!", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		require.Equal(t, http.StatusUnauthorized, resp.Status)
	}
	requireTooMany(t, login(t, env, "a9@example.com", "wrong password!!", "X-Forwarded-For", "198.51.100.9"), "from this address")
}

func TestRateLimit_PerUser(t *testing.T) {
	t.Parallel()
	env := limited(t, 1000, 5)
	busy, calm := env.NewUser(t), env.NewUser(t)
	for i := range 5 {
		require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/auth/me", busy.Token, nil).Status, "request %d", i+1)
	}
	requireTooMany(t, env.Do(t, http.MethodGet, "/api/v1/collections", busy.Token, nil), "for this user")
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/auth/me", calm.Token, nil).Status)
	// Requests without a valid token are not counted per user (they get 401).
	for range 10 {
		require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/auth/me", "not-a-token", nil).Status)
	}
}

func TestRateLimit_OnByDefaultInDevelopment(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom([]string{"ATLAS_JWT_SECRET=test-secret-test-secret-test-secret-0123"})
	require.NoError(t, err)
	require.True(t, cfg.RateLimitOn(), "rate limits are on without being asked for")
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { *c = cfg }})
	for i := range cfg.RateLimitAuthPerMinute {
		require.Equal(t, http.StatusUnauthorized, login(t, env, "x@example.com", "wrong password!!").Status, "attempt %d", i+1)
	}
	requireTooMany(t, login(t, env, "x@example.com", "wrong password!!"), "from this address")
}

func TestRateLimit_RefreshAndPasswordPerIP(t *testing.T) {
	t.Parallel()
	env := limited(t, 2, 1000, func(c *config.Config) { c.RateLimitRefreshPerMinute = 3 })
	u := env.NewUser(t)
	for i := range 3 {
		resp := env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, env.SessionCookie("not-a-session")...)
		require.Equal(t, http.StatusUnauthorized, resp.Status, "refresh %d: %s", i+1, resp.Body)
	}
	requireTooMany(t, env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, env.SessionCookie(u.Refresh)...), "refreshes from this address")

	wrong := map[string]any{"current_password": "not my password", "new_password": "a brand new password"}
	for i := range 2 {
		require.Equal(t, http.StatusForbidden, env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token, wrong).Status, "attempt %d", i+1)
	}
	requireTooMany(t, env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token, wrong), "from this address")
}

func TestRateLimit_AllowsAgainAfterTheWindow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	srv := api.NewServer(api.Params{Accounts: env.App.Accounts, Collections: env.App.Collections, Edge: api.EdgeParams{
		RateLimit: api.RateLimitParams{Enabled: true, AuthPerMinute: 1, UserPerMinute: 1, Window: time.Second},
	}})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	me := func() int {
		req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/auth/me", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+env.NewUser(t).Token)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	u := env.NewUser(t)
	// call may run in a require.EventuallyWithT condition: t is then its CollectT.
	call := func(t apitest.T) *http.Response {
		req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/collections", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+u.Token)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusOK, call(t).StatusCode, "the first request is served")
	resp := call(t)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	require.NotEqual(t, http.StatusTooManyRequests, me(), "other users keep their own budget")
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.NotEqual(collect, http.StatusTooManyRequests, call(collect).StatusCode)
	}, 5*time.Second, 100*time.Millisecond, "still limited long after the window")
}

func TestRateLimit_DocumentedInOpenAPI(t *testing.T) {
	t.Parallel()
	oapi := api.NewServer(api.Params{}).API().OpenAPI()
	for _, path := range []string{"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh"} {
		resp, ok := oapi.Paths[path].Post.Responses["429"]
		require.True(t, ok, "%s documents 429", path)
		assert.Contains(t, resp.Headers, "Retry-After")
	}
	secured := 0
	for path, item := range oapi.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil || len(op.Security) == 0 {
				continue
			}
			secured++
			assert.Contains(t, op.Responses, "429", "%s %s", method, path)
		}
	}
	assert.Greater(t, secured, 10)
}
