package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account/oidctest"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/testfactory"
)

// linkLocal links the provider's user to u's account from the account page
// (as TestSSO_LinkFromTheAccountPage does).
func linkLocal(t *testing.T, env *apitest.Env, u apitest.User, user string) {
	t.Helper()
	b := oidctest.NewBrowser(t)
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/oidc/local/link", u.Token, map[string]any{"next": "/account"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	// The binding cookie the link set belongs in the browser that comes back.
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		b.Client.Jar.SetCookies(mustURL(t, env.URL+"/api/v1/auth/oidc/local/callback"), []*http.Cookie{c})
	}
	callback := b.SignInAtProvider(t, resp.Map(t)["redirect_url"].(string), user, env.URL+"/api/v1/auth/oidc/local/callback")
	done := b.Get(t, callback)
	require.Equal(t, http.StatusSeeOther, done.Status, "%s", done.Body)
}

// identities returns the caller's linked sign-ins by provider.
func identities(t *testing.T, env *apitest.Env, token string) map[string]map[string]any {
	t.Helper()
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/identities", token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	out := map[string]map[string]any{}
	for _, i := range resp.Map(t)["items"].([]any) {
		out[i.(map[string]any)["provider"].(string)] = i.(map[string]any)
	}
	return out
}

func unlink(t *testing.T, env *apitest.Env, token string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodDelete, "/api/v1/auth/identities/local", token, nil)
}

func TestSSOUnlink_PasswordAccountUnlinksAndRecordsIt(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	u := env.NewUser(t)
	linkLocal(t, env, u, oidctest.Unverified)
	require.Equal(t, true, identities(t, env, u.Token)["local"]["unlinkable"], "the password is another way in")

	// An API token may not unlink (as it may not link).
	tok := env.Do(t, http.MethodPost, "/api/v1/auth/tokens", u.Token, map[string]any{"name": "script", "scope": "write"})
	require.Equal(t, http.StatusCreated, tok.Status, "%s", tok.Body)
	require.Equal(t, http.StatusForbidden, unlink(t, env, tok.Map(t)["token"].(string)).Status)

	resp := unlink(t, env, u.Token)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Empty(t, identities(t, env, u.Token))
	again := unlink(t, env, u.Token)
	require.Equal(t, http.StatusNotFound, again.Status, "%s", again.Body)
	require.Contains(t, string(again.Body), "no Local sign-in is linked")

	envs := outboxEvents(t, env, u.ID)
	last := envs[len(envs)-1]
	require.Equal(t, events.SSOUnlinked, last.Type)
	var data map[string]any
	require.NoError(t, json.Unmarshal(last.Data, &data))
	require.Equal(t, "local", data["provider"])
	require.NotEmpty(t, data["subject"])

	// The identity no longer reaches the account: signing in with it makes
	// an account of its own.
	b := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b, oidctest.Unverified, "/").Status)
	_, me := sessionOf(t, env, b)
	require.NotEqual(t, u.ID.String(), me["id"])
}

func TestSSOUnlink_RefusesTheLastWayToSignIn(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, nil)
	b := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b, oidctest.Other, "/").Status)
	token, me := sessionOf(t, env, b)
	require.Equal(t, false, identities(t, env, token)["local"]["unlinkable"], "the account was made by SSO: nobody knows its password")

	resp := unlink(t, env, token)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.Contains(t, string(resp.Body), "last way to sign in")
	require.Len(t, identities(t, env, token), 1, "still linked")

	// Once its owner sets a password (by a reset), the identity may go.
	var passwordSet bool
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT password_set FROM users WHERE id = $1`, me["id"]).Scan(&passwordSet))
	require.False(t, passwordSet)
	mp := testfactory.NewMailpit(t)
	env2 := ssoEnv(t, func(c *config.Config) { mp.Configure(c) })
	env2.StartMailWorker(t)
	b2 := oidctest.NewBrowser(t)
	require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env2, b2, oidctest.Other, "/").Status)
	// The provider's user's mailbox keeps earlier runs' mail: the newest
	// reset email once one more has arrived is this one.
	const subject = "Reset your Atlas password"
	before := len(mp.Find(t, oidctest.OtherEmail, subject))
	require.Equal(t, http.StatusAccepted, requestReset(t, env2, oidctest.OtherEmail).Status)
	var reset string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.Find(c, oidctest.OtherEmail, subject)
		require.Len(c, msgs, before+1)
		m := resetTokenInMail.FindStringSubmatch(msgs[0].Text)
		require.NotNil(c, m, "the email has the link: %s", msgs[0].Text)
		reset = m[1]
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusNoContent, env2.Do(t, http.MethodPost, pathReset+"/confirm", "", map[string]any{"token": reset,
		"new_password": "a password I know now"}).Status)
	token2 := login(t, env2, oidctest.OtherEmail, "a password I know now").Map(t)["access_token"].(string)
	require.Equal(t, true, identities(t, env2, token2)["local"]["unlinkable"])
	require.Equal(t, http.StatusNoContent, unlink(t, env2, token2).Status)
}

func TestSSOUnlink_PasswordLoginOffKeepsTheLastProvider(t *testing.T) {
	t.Parallel()
	env := ssoEnv(t, func(c *config.Config) { c.PasswordLogin = false })
	u := env.NewUser(t) // a password account from before passwords were turned off
	linkLocal(t, env, u, oidctest.Unverified)
	require.Equal(t, false, identities(t, env, u.Token)["local"]["unlinkable"])
	resp := unlink(t, env, u.Token)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "password sign-in is off")
}

// uaTransport sends every request with a user agent of its own.
type uaTransport struct{ ua string }

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

func TestSSO_NewDeviceSignInSendsTheSecurityNotice(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	env := ssoEnv(t, func(c *config.Config) { mp.Configure(c) })
	env.StartMailWorker(t)
	run := uuid.NewString()[:8] // the provider's users' mailboxes keep earlier runs' mail
	signIn := func(ua string) {
		b := oidctest.NewBrowser(t)
		b.Client.Transport = uaTransport{ua: ua}
		require.Equal(t, http.StatusSeeOther, ssoSignIn(t, env, b, oidctest.Other, "/").Status)
	}
	laptop, phone := "Laptop browser "+run, "Phone browser "+run
	signIn(laptop) // the first sign-in creates the account: its first device is no news
	signIn(phone)  // a new device
	signIn(phone)  // a known one

	var notices []string
	rows, err := env.Pool.Query(context.Background(), `SELECT args->>'detail' FROM river_job WHERE kind = $1 AND args->>'notice' = $2`,
		mail.Kind, mail.NoticeNewSignIn)
	require.NoError(t, err)
	for rows.Next() {
		var d string
		require.NoError(t, rows.Scan(&d))
		notices = append(notices, d)
	}
	require.NoError(t, rows.Err())
	require.Len(t, notices, 1, "one notice, for the phone: %q", notices)
	require.True(t, strings.HasPrefix(notices[0], phone), "%q", notices[0])

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var found bool
		for _, m := range mp.Find(c, oidctest.OtherEmail, "new device") {
			found = found || strings.Contains(m.Text, phone)
		}
		assert.True(c, found, "the notice naming the phone reached Mailpit")
	}, 20*time.Second, 100*time.Millisecond)
}
