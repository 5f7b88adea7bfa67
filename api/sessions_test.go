package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
)

// sessionCookieOf returns the atlas_session cookie a response sets, or nil.
func sessionCookieOf(resp apitest.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if c.Name == "atlas_session" {
			return c
		}
	}
	return nil
}

// signIn logs u in through the API and returns the access token and the
// session cookie's value.
func signIn(t *testing.T, env *apitest.Env, email string, headers ...string) (string, string) {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"}, headers...)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	c := sessionCookieOf(resp)
	require.NotNil(t, c, "login sets the session cookie")
	return resp.Map(t)["access_token"].(string), c.Value
}

// refresh presents a session cookie from Atlas' own origin.
func refresh(t *testing.T, env *apitest.Env, cookie string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, env.SessionCookie(cookie)...)
}

func me(t apitest.T, env *apitest.Env, token string) int {
	t.Helper()
	return env.Do(t, http.MethodGet, "/api/v1/auth/me", token, nil).Status
}

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLogin_SetsAStrictHttpOnlySessionCookie(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"})
	require.Equal(t, http.StatusOK, resp.Status)
	c := sessionCookieOf(resp)
	require.NotNil(t, c)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
	assert.Equal(t, "/api/v1/auth", c.Path)
	assert.False(t, c.Secure, "development serves plain HTTP")
	assert.InDelta(t, (30 * 24 * time.Hour).Seconds(), float64(c.MaxAge), 5, "the cookie lives as long as the idle timeout")
	assert.GreaterOrEqual(t, len(c.Value), 43, "256 random bits")
	n := 0
	require.NoError(t, env.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE refresh_hash = sha256($1::bytea)`, []byte(c.Value)).Scan(&n))
	require.Equal(t, 1, n, "only the hash is stored")

	prod := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.Env = config.EnvProduction }})
	p := prod.NewUser(t)
	resp = prod.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": p.Email, "password": "correct horse battery"})
	require.True(t, sessionCookieOf(resp).Secure, "production cookies are Secure")
}

func TestRefresh_RotatesTheCookieAndAnswersANewAccessToken(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := refresh(t, env, u.Refresh)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	next := sessionCookieOf(resp)
	require.NotNil(t, next)
	require.NotEqual(t, u.Refresh, next.Value, "the refresh token rotates")
	access := resp.Map(t)["access_token"].(string)
	require.Equal(t, http.StatusOK, me(t, env, access))

	resp = refresh(t, env, next.Value)
	require.Equal(t, http.StatusOK, resp.Status, "the rotated token works once: %s", resp.Body)
}

func TestRefresh_ReusingARotatedTokenRevokesTheWholeSession(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := refresh(t, env, u.Refresh)
	require.Equal(t, http.StatusOK, resp.Status)
	legit := sessionCookieOf(resp).Value
	access := resp.Map(t)["access_token"].(string)

	stolen := refresh(t, env, u.Refresh) // the old token, presented again
	require.Equal(t, http.StatusUnauthorized, stolen.Status, "%s", stolen.Body)
	require.Equal(t, -1, sessionCookieOf(stolen).MaxAge, "the cookie is cleared")

	require.Equal(t, http.StatusUnauthorized, refresh(t, env, legit).Status, "the current refresh token is dead too")
	require.Equal(t, http.StatusUnauthorized, me(t, env, access), "and so are the session's access tokens")
	require.Equal(t, http.StatusUnauthorized, me(t, env, u.Token))

	evs := outboxEvents(t, env, u.ID)
	require.NotEmpty(t, evs)
	last := evs[len(evs)-1]
	require.Equal(t, events.RefreshTokenReuseDetected, last.Type)
	require.Equal(t, events.UserEntity(u.ID), last.Entity)
	require.JSONEq(t, `{"session_id":"`+u.SessionID.String()+`"}`, string(last.Data))
}

func TestRefresh_UnknownOrMissingCookieIs401AndClearsIt(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := refresh(t, env, "no-such-session")
	require.Equal(t, http.StatusUnauthorized, resp.Status)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.Equal(t, -1, sessionCookieOf(resp).MaxAge)
	resp = env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, "Origin", env.URL)
	require.Equal(t, http.StatusUnauthorized, resp.Status)
}

func TestRefresh_CookieFromAnotherOriginIsRefused(t *testing.T) {
	t.Parallel()
	const app = "https://app.example.com"
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.CORSOrigins = []string{app} }})
	u := env.NewUser(t)
	cookie := "atlas_session=" + u.Refresh
	for name, headers := range map[string][]string{
		"no origin":     {"Cookie", cookie},
		"evil origin":   {"Cookie", cookie, "Origin", "https://evil.example.net"},
		"null origin":   {"Cookie", cookie, "Origin", "null"},
		"lookalike url": {"Cookie", cookie, "Origin", "https://app.example.com.evil.example.net"},
	} {
		resp := env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, headers...)
		require.Equal(t, http.StatusForbidden, resp.Status, "%s: %s", name, resp.Body)
	}
	// Nothing was rotated by the refused calls: the cookie still works, from
	// a configured origin as from Atlas' own.
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, "Cookie", cookie, "Origin", app)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, http.StatusOK, refresh(t, env, sessionCookieOf(resp).Value).Status)
}

func TestLogout_RevokesTheSessionsAccessTokensAtOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	other := env.NewUser(t)
	require.Equal(t, http.StatusOK, me(t, env, u.Token)) // cached as alive

	resp := env.Do(t, http.MethodPost, "/api/v1/auth/logout", u.Token, nil)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Equal(t, -1, sessionCookieOf(resp).MaxAge, "the cookie is cleared")
	require.Equal(t, http.StatusUnauthorized, me(t, env, u.Token), "the very next request is refused")
	require.Equal(t, http.StatusUnauthorized, refresh(t, env, u.Refresh).Status)
	require.Equal(t, http.StatusOK, me(t, env, other.Token), "other users' sessions go on")

	evs := outboxEvents(t, env, u.ID)
	require.Len(t, evs, 1)
	require.Equal(t, events.SessionRevoked, evs[0].Type)
	require.JSONEq(t, `{"session_ids":["`+u.SessionID.String()+`"],"reason":"signed_out"}`, string(evs[0].Data))
}

func TestLogout_RevocationReachesOtherReplicasWithinFiveSeconds(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	replica := apitest.NewOn(t, env) // a second API process on the same database
	u := env.NewUser(t)
	require.Equal(t, http.StatusOK, me(t, replica, u.Token))
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodPost, "/api/v1/auth/logout", u.Token, nil).Status)
	start := time.Now()
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Equal(collect, http.StatusUnauthorized, me(collect, replica, u.Token))
	}, 7*time.Second, 100*time.Millisecond)
	require.Less(t, time.Since(start), 6*time.Second)
}

func TestSessions_SlideWithUseUpToTheAbsoluteLimit(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now().UTC()}
	env := apitest.New(t, apitest.Opts{NowFunc: clk.Now})
	u := env.NewUser(t)
	cookie := u.Refresh
	// Used every 20 days, the session outlives the 30-day idle timeout...
	for range 4 {
		clk.Advance(20 * 24 * time.Hour)
		resp := refresh(t, env, cookie)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		cookie = sessionCookieOf(resp).Value
	}
	// ...but not the 90-day absolute limit.
	clk.Advance(11 * 24 * time.Hour)
	resp := refresh(t, env, cookie)
	require.Equal(t, http.StatusUnauthorized, resp.Status)
	require.Equal(t, -1, sessionCookieOf(resp).MaxAge, "an expired cookie is cleared")

	idle := env.NewUser(t)
	clk.Advance(30*24*time.Hour + time.Second)
	require.Equal(t, http.StatusUnauthorized, refresh(t, env, idle.Refresh).Status, "30 days without use end a session")
}

func TestAccessToken_ExpiresAfterItsTTL(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now().UTC()}
	env := apitest.New(t, apitest.Opts{NowFunc: clk.Now})
	u := env.NewUser(t)
	require.Equal(t, http.StatusOK, me(t, env, u.Token))
	clk.Advance(15*time.Minute + time.Second)
	require.Equal(t, http.StatusUnauthorized, me(t, env, u.Token))
	resp := refresh(t, env, u.Refresh)
	require.Equal(t, http.StatusOK, resp.Status, "the session outlives its access tokens")
	require.Equal(t, http.StatusOK, me(t, env, resp.Map(t)["access_token"].(string)))
}

func TestSessions_ListRevokeOneAndRevokeOthers(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	laptop, _ := signIn(t, env, u.Email, "User-Agent", "Laptop browser")
	phone, phoneCookie := signIn(t, env, u.Email, "User-Agent", "Phone browser")
	stranger := env.NewUser(t)

	var list struct {
		Items []struct {
			ID        uuid.UUID `json:"id"`
			UserAgent string    `json:"user_agent"`
			IP        string    `json:"ip"`
			Current   bool      `json:"current"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/sessions", laptop, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &list)
	require.Len(t, list.Items, 3)
	require.Equal(t, "Phone browser", list.Items[0].UserAgent, "newest first")
	require.Equal(t, "127.0.0.1", list.Items[0].IP)
	require.True(t, list.Items[1].Current, "the laptop's session is the caller's")
	require.False(t, list.Items[0].Current)
	phoneID := list.Items[0].ID

	resp = env.Do(t, http.MethodGet, "/api/v1/auth/sessions?limit=2", laptop, nil)
	resp.JSON(t, &list)
	require.Len(t, list.Items, 2)
	require.NotNil(t, list.NextCursor)

	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodDelete, "/api/v1/auth/sessions/"+phoneID.String(), stranger.Token, nil).Status,
		"someone else's session is not found")
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodDelete, "/api/v1/auth/sessions/"+uuid.NewString(), laptop, nil).Status)
	require.Equal(t, http.StatusOK, me(t, env, phone), "a refused revocation changes nothing")

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/sessions/"+phoneID.String(), laptop, nil).Status)
	require.Equal(t, http.StatusUnauthorized, me(t, env, phone))
	require.Equal(t, http.StatusUnauthorized, refresh(t, env, phoneCookie).Status)

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/sessions", laptop, nil).Status)
	require.Equal(t, http.StatusUnauthorized, me(t, env, u.Token), "every other session ends")
	require.Equal(t, http.StatusOK, me(t, env, laptop), "the current one goes on")
	resp = env.Do(t, http.MethodGet, "/api/v1/auth/sessions", laptop, nil)
	resp.JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, http.StatusOK, me(t, env, stranger.Token))
}
