// Package oidctest drives the real OpenID provider that scripts/oidc-provider
// runs on loopback (zitadel/oidc's example provider) for the single sign-on
// tests: a cookie-keeping browser that fills the provider's login form, and
// ID tokens obtained from the provider through its own code flow.
package oidctest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// The provider's test users (scripts/oidc-provider writes them) and their
// password.
const (
	Password = "verysecure"
	// Verified's email (sso-verified@example.test) is verified.
	Verified      = "verified"
	VerifiedEmail = "sso-verified@example.test"
	// Unverified's email (sso-unverified@example.test) is not.
	Unverified      = "unverified"
	UnverifiedEmail = "sso-unverified@example.test"
	// Other's verified email is at another domain (sso-other@elsewhere.test).
	Other      = "other"
	OtherEmail = "sso-other@elsewhere.test"
	// PublicClient is the provider's public client (PKCE, no secret), whose
	// loopback redirect URI .../api/v1/auth/oidc/local/callback matches any
	// port; Provider is the name Atlas must give it for that path.
	PublicClient = "native"
	Provider     = "local"
)

// Issuer is the provider's issuer (ATLAS_TEST_OIDC_ISSUER, default
// http://localhost:19500/). It fails the test when the provider does not
// answer: start it with scripts/oidc-provider start (scripts/test does).
func Issuer(t testing.TB) string {
	t.Helper()
	issuer := os.Getenv("ATLAS_TEST_OIDC_ISSUER")
	if issuer == "" {
		issuer = "http://localhost:19500/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+".well-known/openid-configuration", nil) //nolint:gosec // G704: as below
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // G704: the test provider's address, from the test's environment
	require.NoError(t, err, "the OpenID provider at %s does not answer: run scripts/oidc-provider start", issuer)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "discovery of %s", issuer)
	return issuer
}

// Browser is an HTTP client with a cookie jar that follows no redirects
// on its own, so a test sees each hop.
type Browser struct {
	Client *http.Client
}

// NewBrowser returns a Browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Browser{Client: &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a response read in full.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	URL      *url.URL
	Location string
}

// Do sends a request and reads the response.
func (b *Browser) Do(t testing.TB, method, target string, form url.Values) Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, target, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: data, URL: req.URL}
	if loc, err := resp.Location(); err == nil {
		out.Location = loc.String()
	}
	return out
}

// Get is Do with GET.
func (b *Browser) Get(t testing.TB, target string) Response {
	t.Helper()
	return b.Do(t, http.MethodGet, target, nil)
}

// SignInAtProvider follows authURL (a provider's authorization URL) to the
// provider's login form, signs in as user, and follows the provider's
// redirects until one leads to a URL that starts with callback: it returns
// that URL without requesting it.
func (b *Browser) SignInAtProvider(t testing.TB, authURL, user, callback string) string {
	t.Helper()
	resp := b.Get(t, authURL)
	for hops := 0; resp.Location != "" && hops < 10; hops++ {
		resp = b.Get(t, resp.Location)
	}
	require.Equal(t, http.StatusOK, resp.Status, "the provider's login page: %s", resp.Body)
	id := resp.URL.Query().Get("authRequestID")
	require.NotEmpty(t, id, "no authRequestID in %s", resp.URL)
	login := *resp.URL
	login.RawQuery = ""
	resp = b.Do(t, http.MethodPost, login.String(), url.Values{"username": {user}, "password": {Password}, "id": {id}})
	for hops := 0; hops < 10; hops++ {
		require.NotEmpty(t, resp.Location, "the provider did not redirect after login (%d): %s", resp.Status, resp.Body)
		if strings.HasPrefix(resp.Location, callback) {
			return resp.Location
		}
		resp = b.Get(t, resp.Location)
	}
	t.Fatalf("the provider never redirected to %s", callback)
	return ""
}

// IDToken runs the provider's code flow for user as clientID (the public
// client), with nonce when not empty, and returns the ID token it signs.
func IDToken(t testing.TB, issuer, clientID, user, nonce string) string {
	t.Helper()
	cfg := oauth2.Config{ClientID: clientID, Scopes: []string{"openid", "email"},
		RedirectURL: "http://127.0.0.1:1/api/v1/auth/oidc/" + Provider + "/callback",
		Endpoint:    oauth2.Endpoint{AuthURL: issuer + "auth", TokenURL: issuer + "oauth/token", AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", nonce))
	}
	cb := NewBrowser(t).SignInAtProvider(t, cfg.AuthCodeURL("state-of-the-test", opts...), user, cfg.RedirectURL)
	u, err := url.Parse(cb)
	require.NoError(t, err)
	tok, err := cfg.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)
	require.NotEmpty(t, raw)
	return raw
}

// Private runs a provider of the test's own on port (scripts/oidc-provider
// with ATLAS_OIDC_PROVIDER_PORT), stopped when the test ends, and returns
// its issuer and a function that restarts it: a restarted provider signs
// with a new key (key rotation).
func Private(t testing.TB, port string) (issuer string, restart func()) {
	t.Helper()
	script := findScript(t)
	run := func(action string) {
		t.Helper()
		cmd := exec.CommandContext(context.Background(), script, action) //nolint:gosec // G204: the repository's own scripts/oidc-provider
		cmd.Env = append(os.Environ(), "ATLAS_OIDC_PROVIDER_PORT="+port)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "scripts/oidc-provider %s: %s", action, out)
	}
	run("stop") // a provider left over from an interrupted run
	run("start")
	t.Cleanup(func() { run("stop") })
	return "http://localhost:" + port + "/", func() {
		run("stop")
		run("start")
	}
}

// findScript returns the path of scripts/oidc-provider, looking up from the
// test's directory.
func findScript(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		p := filepath.Join(dir, "scripts", "oidc-provider")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "scripts/oidc-provider not found above the test's directory")
		dir = parent
	}
}
