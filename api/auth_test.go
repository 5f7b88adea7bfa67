package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
)

func register(t *testing.T, env *apitest.Env, email, password string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": password, "display_name": "Ada",
	})
}

func TestRegister_DisplayNameDefaultsToTheEmailsLocalPart(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]any{"email": "grace.hopper@example.com", "password": "correct horse battery"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, "grace.hopper", resp.Map(t)["display_name"])
}

func TestUpdateMe_ChangesTheDisplayName(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := env.Do(t, http.MethodPatch, "/api/v1/auth/me", u.Token, map[string]any{"display_name": "  Ada L.  "})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Ada L.", resp.Map(t)["display_name"])
	require.Equal(t, "Ada L.", env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil).Map(t)["display_name"])
	for _, bad := range []any{"   ", strings.Repeat("x", 101), nil} {
		resp := env.Do(t, http.MethodPatch, "/api/v1/auth/me", u.Token, map[string]any{"display_name": bad})
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%v: %s", bad, resp.Body)
	}
}

func TestRegisterLoginMe(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := register(t, env, "Ada@Example.com", "correct horse battery")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	user := resp.Map(t)
	require.Equal(t, "Ada@Example.com", user["email"])
	require.NotContains(t, string(resp.Body), "password")

	// Emails are case-insensitive for login.
	resp = env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": "ada@example.COM", "password": "correct horse battery"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	tok := resp.Map(t)
	require.Equal(t, "Bearer", tok["token_type"])
	require.EqualValues(t, 900, tok["expires_in"], "access tokens last 15 minutes by default")

	resp = env.Do(t, http.MethodGet, "/api/v1/auth/me", tok["access_token"].(string), nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, user["id"], resp.Map(t)["id"])
}

func TestRegister_DuplicateEmailInOtherCaseIsConflict(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	require.Equal(t, http.StatusCreated, register(t, env, "grace@example.com", "correct horse battery").Status)
	resp := register(t, env, "GRACE@example.com", "another password!")
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
}

func TestRegister_Validation(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	cases := map[string]map[string]any{
		"short password": {"email": "a@example.com", "password": "short", "display_name": "A"},
		"bad email":      {"email": "not-an-email", "password": "correct horse battery", "display_name": "A"},
		"named email":    {"email": "Ada <a@example.com>", "password": "correct horse battery", "display_name": "A"},
		"blank name":     {"email": "a@example.com", "password": "correct horse battery", "display_name": "   "},
		"missing field":  {"email": "a@example.com", "display_name": "A"},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			resp := env.Do(t, http.MethodPost, "/api/v1/auth/register", "", body)
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
			require.NotEmpty(t, resp.Map(t)["detail"])
		})
	}
}

func TestLogin_FailuresDoNotRevealWhetherEmailExists(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	require.Equal(t, http.StatusCreated, register(t, env, "known@example.com", "correct horse battery").Status)
	wrongPassword := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": "known@example.com", "password": "wrong password!!"})
	unknownEmail := env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": "unknown@example.com", "password": "wrong password!!"})
	require.Equal(t, http.StatusUnauthorized, wrongPassword.Status)
	require.Equal(t, http.StatusUnauthorized, unknownEmail.Status)
	require.Equal(t, wrongPassword.Map(t)["detail"], unknownEmail.Map(t)["detail"])
}

func TestAuth_BadTokensAre401(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	secret := []byte(env.Config.JWTSecret.Value())
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		require.NoError(t, err)
		return s
	}
	now := time.Now()
	valid := jwt.MapClaims{"sub": u.ID.String(), "sid": u.SessionID.String(), "iss": "atlas", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for key, val := range valid {
			c[key] = val
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/auth/me", sign(jwt.SigningMethodHS256, secret, valid), nil).Status,
		"the control token must be accepted, or the cases below prove nothing")

	cases := map[string]string{
		"alg none":       sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid),
		"wrong key":      sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-0000"), valid),
		"HS512":          sign(jwt.SigningMethodHS512, secret, valid),
		"expired":        sign(jwt.SigningMethodHS256, secret, with("exp", now.Add(-time.Minute).Unix())),
		"no expiry":      sign(jwt.SigningMethodHS256, secret, with("exp", nil)),
		"wrong issuer":   sign(jwt.SigningMethodHS256, secret, with("iss", "someone-else")),
		"issued later":   sign(jwt.SigningMethodHS256, secret, with("iat", now.Add(time.Hour).Unix())),
		"subject no id":  sign(jwt.SigningMethodHS256, secret, with("sub", "admin")),
		"no session":     sign(jwt.SigningMethodHS256, secret, with("sid", nil)),
		"other session":  sign(jwt.SigningMethodHS256, secret, with("sid", uuid.NewString())),
		"foreign sub":    sign(jwt.SigningMethodHS256, secret, with("sub", uuid.NewString())),
		"malformed":      "not.a.jwt",
		"garbage":        strings.Repeat("x", 40),
		"tampered claim": tamper(sign(jwt.SigningMethodHS256, secret, valid), uuid.NewString()),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, "/api/v1/auth/me", tok, nil)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			require.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
		})
	}
	t.Run("other scheme", func(t *testing.T) {
		resp := env.Do(t, http.MethodGet, "/api/v1/auth/me", "", nil, "Authorization", "Basic dXNlcjpwYXNz")
		require.Equal(t, http.StatusUnauthorized, resp.Status)
	})
}

// tamper swaps the token's subject for another id, keeping the signature.
func tamper(token, sub string) string {
	parts := strings.Split(token, ".")
	claims, _ := jwt.NewParser().DecodeSegment(parts[1])
	forged := strings.Replace(string(claims), `"sub":"`, `"sub":"`+sub+`","x":"`, 1)
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
	return strings.Join(parts, ".")
}

func TestRequestIDs_EchoedOrGenerated(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/me", "", nil, "X-Request-ID", "req-123",
		"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	require.Equal(t, "req-123", resp.Header.Get("X-Request-ID"))
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", resp.Header.Get("X-Trace-ID"))

	resp = env.Do(t, http.MethodGet, "/api/v1/auth/me", "", nil, "X-Request-ID", "bad id with spaces", "traceparent", "garbage")
	require.NotEqual(t, "bad id with spaces", resp.Header.Get("X-Request-ID"))
	require.NotEmpty(t, resp.Header.Get("X-Request-ID"))
	require.Regexp(t, `^[0-9a-f]{32}$`, resp.Header.Get("X-Trace-ID"))
}
