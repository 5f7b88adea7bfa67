package account

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account/oidctest"
)

// verifier returns an SSO whose provider "local" is the real provider as
// clientID, with Atlas' clock at now.
func verifier(t *testing.T, clientID string, now func() time.Time) (*SSO, *ssoProvider) {
	t.Helper()
	return verifierOf(oidctest.Issuer(t), clientID, now)
}

func verifierOf(issuer, clientID string, now func() time.Time) (*SSO, *ssoProvider) {
	s := NewSSO(SSOParams{Accounts: &Service{now: now}, Providers: []OIDCProvider{{Name: oidctest.Provider, DisplayName: "Local",
		Issuer: issuer, ClientID: clientID, Scopes: []string{"openid", "email"}}}})
	return s, s.byName[oidctest.Provider]
}

func verifyRaw(t *testing.T, s *SSO, p *ssoProvider, raw, nonce string) (idClaims, error) {
	t.Helper()
	d, err := s.discover(p)
	require.NoError(t, err)
	return s.verify(context.Background(), p, d, raw, nonce)
}

func TestVerify_AcceptsTheProvidersIDToken(t *testing.T) {
	t.Parallel()
	s, p := verifier(t, oidctest.PublicClient, time.Now)
	c, err := verifyRaw(t, s, p, oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, "n-1"), "n-1")
	require.NoError(t, err)
	require.Equal(t, oidctest.Verified, c.Subject)
}

func TestVerify_RefusesAForgedIDToken(t *testing.T) {
	t.Parallel()
	s, p := verifier(t, oidctest.PublicClient, time.Now)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	// Every claim right, signed by a key that is not the provider's.
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": oidctest.Issuer(t), "aud": oidctest.PublicClient,
		"sub": oidctest.Verified, "nonce": "n-1", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		"email": oidctest.VerifiedEmail, "email_verified": true})
	tok.Header["kid"] = "forged"
	forged, err := tok.SignedString(key)
	require.NoError(t, err)
	_, err = verifyRaw(t, s, p, forged, "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)

	// The provider's own token with its payload swapped for the forged one.
	genuine := oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, "n-1")
	parts, forgedParts := strings.Split(genuine, "."), strings.Split(forged, ".")
	require.Len(t, parts, 3)
	_, err = verifyRaw(t, s, p, parts[0]+"."+forgedParts[1]+"."+parts[2], "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)
}

func TestVerify_RefusesAnExpiredIDToken(t *testing.T) {
	t.Parallel()
	raw := oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, "n-1")
	s, p := verifier(t, oidctest.PublicClient, func() time.Time { return time.Now().Add(2 * time.Hour) })
	_, err := verifyRaw(t, s, p, raw, "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)
}

func TestVerify_RefusesAnotherAudience(t *testing.T) {
	t.Parallel()
	// A token the provider issued to its public client, presented to an
	// Atlas that is the "web" client.
	raw := oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, "n-1")
	s, p := verifier(t, "web", time.Now)
	_, err := verifyRaw(t, s, p, raw, "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)
}

func TestVerify_RefusesAMissingOrWrongNonce(t *testing.T) {
	t.Parallel()
	s, p := verifier(t, oidctest.PublicClient, time.Now)
	_, err := verifyRaw(t, s, p, oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, ""), "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "a token without a nonce")
	_, err = verifyRaw(t, s, p, oidctest.IDToken(t, oidctest.Issuer(t), oidctest.PublicClient, oidctest.Verified, "n-2"), "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "another sign-in's nonce")
}

func TestVerify_FollowsKeyRotation(t *testing.T) {
	t.Parallel()
	// A provider of this test's own (port 19501): restarting it rotates its
	// signing key.
	issuer, restart := oidctest.Private(t, "19501")
	s, p := verifierOf(issuer, oidctest.PublicClient, time.Now)
	old := oidctest.IDToken(t, issuer, oidctest.PublicClient, oidctest.Verified, "n-1")
	_, err := verifyRaw(t, s, p, old, "n-1")
	require.NoError(t, err)

	restart()
	rotated := oidctest.IDToken(t, issuer, oidctest.PublicClient, oidctest.Verified, "n-1")
	require.NotEqual(t, kid(t, old), kid(t, rotated), "the restarted provider signs with a new key")
	_, err = verifyRaw(t, s, p, rotated, "n-1")
	require.NoError(t, err, "a token signed with the new key verifies: the key set is fetched again")
	_, err = verifyRaw(t, s, p, old, "n-1")
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the retired key no longer verifies")
}

func kid(t *testing.T, raw string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	require.NoError(t, err)
	k, _ := tok.Header["kid"].(string)
	return k
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"/", "/collections", "/c/1?x=y#z", "/a/b%2F"} {
		got, err := SafeNext(ok)
		require.NoError(t, err, ok)
		require.Equal(t, ok, got)
	}
	got, err := SafeNext("")
	require.NoError(t, err)
	require.Equal(t, "/", got)
	for _, bad := range []string{"https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)",
		"evil.example/x", "/x\ny", "/\x7f", "http:/x"} {
		_, err := SafeNext(bad)
		require.ErrorIs(t, err, atlas.ErrInvalid, bad)
	}
}
