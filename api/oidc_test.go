package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account/oidctest"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
)

// ssoEnv is an Atlas whose provider "local" is the real OpenID provider of
// scripts/oidc-provider (its public client), edited by configure.
func ssoEnv(t *testing.T, configure func(*config.Config), opts ...apitest.Opts) *apitest.Env {
	t.Helper()
	issuer := oidctest.Issuer(t)
	var o apitest.Opts
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Configure = func(c *config.Config) {
		c.OIDC = []config.OIDCProvider{{Name: oidctest.Provider, Issuer: issuer, ClientID: oidctest.PublicClient,
			Scopes: []string{"openid", "email", "profile"}, DisplayName: "Local"}}
		if configure != nil {
			configure(c)
		}
	}
	return apitest.New(t, o)
}

// toCallback starts a sign-in with next in b and signs in at the provider
// as user: it returns the callback URL the provider sends the browser to,
// not yet requested.
func toCallback(t *testing.T, env *apitest.Env, b *oidctest.Browser, user, next string) string {
	t.Helper()
	start := b.Get(t, env.URL+"/api/v1/auth/oidc/local/start?next="+url.QueryEscape(next))
	require.Equal(t, http.StatusFound, start.Status, "%s", start.Body)
	require.True(t, strings.HasPrefix(start.Location, oidctest.Issuer(t)), "start redirects to the provider: %s", start.Location)
	for _, p := range []string{"code_challenge", "state", "nonce"} {
		require.NotEmpty(t, mustURL(t, start.Location).Query().Get(p), "the authorization request has %s", p)
	}
	require.Equal(t, "S256", mustURL(t, start.Location).Query().Get("code_challenge_method"))
	return b.SignInAtProvider(t, start.Location, user, env.URL+"/api/v1/auth/oidc/local/callback")
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// ssoSignIn runs the whole flow as user and returns the callback's answer.
func ssoSignIn(t *testing.T, env *apitest.Env, b *oidctest.Browser, user, next string) oidctest.Response {
	t.Helper()
	return b.Get(t, toCallback(t, env, b, user, next))
}

// sessionOf trades the session cookie the browser holds for an access
// token and returns the signed-in user.
func sessionOf(t *testing.T, env *apitest.Env, b *oidctest.Browser) (token string, me map[string]any) {
	t.Helper()
	var refresh string
	for _, c := range b.Client.Jar.Cookies(mustURL(t, env.URL+"/api/v1/auth/refresh")) {
		if c.Name == "atlas_session" {
			refresh = c.Value
		}
	}
	require.NotEmpty(t, refresh, "the browser holds a session cookie")
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/refresh", "", nil, env.SessionCookie(refresh)...)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	token = resp.Map(t)["access_token"].(string)
	return token, env.Do(t, http.MethodGet, "/api/v1/auth/me", token, nil).Map(t)
}

func requireProblem(t *testing.T, resp oidctest.Response, status int, detail string) {
	t.Helper()
	require.Equal(t, status, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.Contains(t, string(resp.Body), detail)
}

func TestSSO_FirstSignInCreatesTheAccountAndTheSecondFindsIt(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	b := oidctest.NewBrowser(t)
	resp := ssoSignIn(t, env, b, oidctest.Other, "/collections?tab=mine")
	require.Equal(t, http.StatusSeeOther, resp.Status, "%s", resp.Body)
	require.Equal(t, "/collections?tab=mine", resp.Header.Get("Location"))
	token, me := sessionOf(t, env, b)
	require.Equal(t, oidctest.OtherEmail, me["email"])
	require.Equal(t, "Otto Other", me["display_name"])
	firstID := me["id"].(string)

	ids := env.Do(t, http.MethodGet, "/api/v1/auth/identities", token, nil)
	require.Equal(t, http.StatusOK, ids.Status, "%s", ids.Body)
	require.Len(t, ids.Map(t)["items"], 1)
	require.Equal(t, "local", ids.Map(t)["items"].([]any)[0].(map[string]any)["provider"])

	// A second sign-in, in another browser, finds the same account.
	b2 := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b2, oidctest.Other, "/").Status)
	_, me2 := sessionOf(t, env, b2)
	require.Equal(t, firstID, me2["id"])

	var users int
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE lower(email) = $1`, oidctest.OtherEmail).Scan(&users))
	require.Equal(t, 1, users)

	// The account's security events: linked once, signed in twice, with the provider.
	envs := outboxEvents(t, env, uuid.MustParse(firstID))
	var types []events.Type
	for _, e := range envs {
		types = append(types, e.Type)
		var data map[string]any
		require.NoError(t, json.Unmarshal(e.Data, &data))
		require.Equal(t, "local", data["provider"])
	}
	require.Equal(t, []events.Type{events.SSOLinked, events.UserLoggedIn, events.UserLoggedIn}, types)
}

func TestSSO_ReplayedStateIsRefused(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	b := oidctest.NewBrowser(t)
	callback := toCallback(t, env, b, oidctest.Other, "/")
	// Another browser (no binding cookie) cannot use the state.
	requireProblem(t, oidctest.NewBrowser(t).Get(t, callback), http.StatusBadRequest, "expired or was already used")

	env2 := ssoEnv(t, nil)
	b2 := oidctest.NewBrowser(t)
	callback = toCallback(t, env2, b2, oidctest.Other, "/")
	require.Equal(t, http.StatusSeeOther, b2.Get(t, callback).Status)
	// The same browser replaying the callback: the state was used.
	requireProblem(t, b2.Get(t, callback), http.StatusBadRequest, "expired or was already used")
}

func TestSSO_ReplayedCodeIsRefused(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	b := oidctest.NewBrowser(t)
	first := mustURL(t, toCallback(t, env, b, oidctest.Other, "/"))
	require.Equal(t, http.StatusSeeOther, b.Get(t, first.String()).Status)

	// A fresh sign-in's state with the first sign-in's code.
	second := mustURL(t, toCallback(t, env, b, oidctest.Other, "/"))
	q := second.Query()
	q.Set("code", first.Query().Get("code"))
	second.RawQuery = q.Encode()
	requireProblem(t, b.Get(t, second.String()), http.StatusBadRequest, "refused the sign-in code")
}

func TestSSO_ExpiredIDTokenIsRefused(t *testing.T) {
	t.Parallel()
	// Atlas' clock is two hours ahead: the provider's ID tokens (valid for
	// an hour) have expired when Atlas checks them.
	env := ssoEnv(t, nil, apitest.Opts{NowFunc: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	b := oidctest.NewBrowser(t)
	requireProblem(t, ssoSignIn(t, env, b, oidctest.Other, "/"), http.StatusUnauthorized, "ID token from Local was refused")
}

func TestSSO_UnverifiedEmailCannotTakeOverAnAccount(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	require.Equal(t, http.StatusCreated, register(t, env, oidctest.UnverifiedEmail, "correct horse battery").Status)
	b := oidctest.NewBrowser(t)
	requireProblem(t, ssoSignIn(t, env, b, oidctest.Unverified, "/"), http.StatusConflict, "has not verified the address")

	var identities int
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM user_identities`).Scan(&identities))
	require.Zero(t, identities, "nothing was linked")
	for _, c := range b.Client.Jar.Cookies(mustURL(t, env.URL+"/api/v1/auth/refresh")) {
		require.NotEqual(t, "atlas_session", c.Name, "no session was started")
	}
	// The owner still signs in with their password.
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": oidctest.UnverifiedEmail, "password": "correct horse battery"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
}

func TestSSO_VerifiedEmailLinksTheExistingAccount(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	reg := register(t, env, oidctest.VerifiedEmail, "correct horse battery")
	require.Equal(t, http.StatusCreated, reg.Status)
	b := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b, oidctest.Verified, "/").Status)
	_, me := sessionOf(t, env, b)
	require.Equal(t, reg.Map(t)["id"], me["id"])
	require.Len(t, outboxEvents(t, env, uuid.MustParse(me["id"].(string))), 2) // SSOLinked, UserLoggedIn
}

func TestSSO_LinkFromTheAccountPage(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	u := env.NewUser(t) // an address the provider does not know
	b := oidctest.NewBrowser(t)

	// An API token may not link a provider; the session may.
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, env.URL+"/api/v1/auth/oidc/local/link", strings.NewReader(`{"next":"/account"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+u.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.Client.Do(req)
	require.NoError(t, err)
	var link struct {
		RedirectURL string `json:"redirect_url"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&link))
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	callback := b.SignInAtProvider(t, link.RedirectURL, oidctest.Unverified, env.URL+"/api/v1/auth/oidc/local/callback")
	done := b.Get(t, callback)
	require.Equal(t, http.StatusSeeOther, done.Status, "%s", done.Body)
	require.Equal(t, "/account", done.Header.Get("Location"))

	ids := env.Do(t, http.MethodGet, "/api/v1/auth/identities", u.Token, nil).Map(t)["items"].([]any)
	require.Len(t, ids, 1)
	require.Equal(t, oidctest.UnverifiedEmail, ids[0].(map[string]any)["email"])

	// Signing in with that identity now finds the linked account.
	b2 := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b2, oidctest.Unverified, "/").Status)
	_, me := sessionOf(t, env, b2)
	require.Equal(t, u.ID.String(), me["id"])
}

func TestSSO_ProviderDown(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1 of loopback.
	env := ssoEnv(t, func(c *config.Config) {
		c.OIDC = append(c.OIDC, config.OIDCProvider{Name: "down", Issuer: "http://127.0.0.1:1/", ClientID: "x",
			Scopes: []string{"openid"}, DisplayName: "Down"})
	})
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/providers", "", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	var methods struct {
		PasswordLogin bool `json:"password_login"`
		Providers     []struct {
			Name      string `json:"name"`
			Available bool   `json:"available"`
		} `json:"providers"`
	}
	resp.JSON(t, &methods)
	require.True(t, methods.PasswordLogin)
	avail := map[string]bool{}
	for _, p := range methods.Providers {
		avail[p.Name] = p.Available
	}
	require.Equal(t, map[string]bool{"down": false, "local": true}, avail)

	requireProblem(t, oidctest.NewBrowser(t).Get(t, env.URL+"/api/v1/auth/oidc/down/start"), http.StatusServiceUnavailable, "Down cannot be reached")
	u := env.NewUser(t)
	login := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"})
	require.Equal(t, http.StatusOK, login.Status, "password login still works: %s", login.Body)
}

func TestSSO_NextOnlyAcceptsPathsOnThisSite(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	b := oidctest.NewBrowser(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
		"javascript:alert(1)", "http:/evil.example", "evil.example", "/ok\r\nLocation: https://evil.example", "/x\x00"} {
		resp := b.Get(t, env.URL+"/api/v1/auth/oidc/local/start?next="+url.QueryEscape(next))
		requireProblem(t, resp, http.StatusUnprocessableEntity, "must be a path on this site")
		require.Empty(t, resp.Location, "%q", next)
	}
	resp := ssoSignIn(t, env, b, oidctest.Other, "/collections/abc?tab=items#top")
	require.Equal(t, http.StatusSeeOther, resp.Status, "%s", resp.Body)
	require.Equal(t, "/collections/abc?tab=items#top", resp.Header.Get("Location"))
}

func TestSSO_PasswordLoginOff(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, func(c *config.Config) { c.PasswordLogin = false })
	u := env.NewUser(t) // made through the service, as before passwords were turned off
	for _, resp := range []apitest.Response{
		register(t, env, "new@example.com", "correct horse battery"),
		env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"}),
	} {
		require.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
		require.Contains(t, string(resp.Body), "password sign-in is turned off")
	}
	require.Equal(t, false, env.Do(t, http.MethodGet, "/api/v1/auth/providers", "", nil).Map(t)["password_login"])
	b := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b, oidctest.Other, "/").Status)
	_, me := sessionOf(t, env, b)
	require.Equal(t, oidctest.OtherEmail, me["email"])
}

func TestSSO_AllowedDomainsAndRequiredGroup(t *testing.T) {
	t.Parallel()
	domains := ssoEnv(t, func(c *config.Config) { c.OIDC[0].AllowedDomains = []string{"example.test"} })
	requireProblem(t, ssoSignIn(t, domains, oidctest.NewBrowser(t), oidctest.Other, "/"), http.StatusForbidden, "limited to addresses at example.test")
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, domains, oidctest.NewBrowser(t), oidctest.Verified, "/").Status)

	// The provider's users are in no group.
	group := ssoEnv(t, func(c *config.Config) { c.OIDC[0].RequiredGroup = "atlas-users" })
	requireProblem(t, ssoSignIn(t, group, oidctest.NewBrowser(t), oidctest.Verified, "/"), http.StatusForbidden, "needs membership of the group")
	var users int
	require.NoError(t, group.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users`).Scan(&users))
	require.Zero(t, users, "no account was created")
}

func TestSSO_StartAndCallbackAreRateLimitedPerAddress(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, func(c *config.Config) { c.RateLimitAuthPerMinute = 2 })
	b := oidctest.NewBrowser(t)
	for range 2 {
		require.Equal(t, http.StatusFound, b.Get(t, env.URL+"/api/v1/auth/oidc/local/start").Status)
	}
	requireProblem(t, b.Get(t, env.URL+"/api/v1/auth/oidc/local/callback?state=x&code=y"), http.StatusTooManyRequests, "too many sign-in")
}
