package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/events"
)

// newToken creates an API token as u and returns its id and secret.
func newToken(t *testing.T, env *apitest.Env, u apitest.User, body map[string]any) (string, string) {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/tokens", u.Token, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	m := resp.Map(t)
	return m["id"].(string), m["token"].(string)
}

func TestAPITokens_ActAsTheUserWithinTheirScope(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	_, read := newToken(t, env, u, map[string]any{"name": "reader", "scope": "read"})
	_, write := newToken(t, env, u, map[string]any{"name": "writer", "scope": "write"})
	require.True(t, strings.HasPrefix(read, "atlas_pat_"), read)

	items := "/api/v1/collections/" + c.ID.String() + "/items"
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, items, read, nil).Status)
	require.Equal(t, http.StatusOK, me(t, env, read))
	for name, call := range map[string][2]string{
		"create item":       {http.MethodPost, items},
		"create collection": {http.MethodPost, "/api/v1/collections"},
		"rename myself":     {http.MethodPatch, "/api/v1/auth/me"},
		"revoke a session":  {http.MethodDelete, "/api/v1/auth/sessions"},
	} {
		resp := env.Do(t, call[0], call[1], read, map[string]any{"title": "x", "name": "x", "display_name": "x"})
		require.Equal(t, http.StatusForbidden, resp.Status, "%s with a read token: %s", name, resp.Body)
	}
	require.Equal(t, http.StatusOK, me(t, env, u.Token), "the read token's refusal ended no session")

	resp := env.Do(t, http.MethodPost, items, write, map[string]any{"title": "From a script"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, u.ID.String(), resp.Map(t)["created_by"])
}

func TestAPITokens_CannotCreateTokensOrChangeThePassword(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	_, write := newToken(t, env, u, map[string]any{"name": "writer", "scope": "write"})
	resp := env.Do(t, http.MethodPost, "/api/v1/auth/tokens", write, map[string]any{"name": "child", "scope": "write"})
	require.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	resp = env.Do(t, http.MethodPost, "/api/v1/auth/password", write,
		map[string]any{"current_password": "correct horse battery", "new_password": "taken over by a script"})
	require.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	resp = env.Do(t, http.MethodPost, "/api/v1/auth/logout", write, nil)
	require.Equal(t, http.StatusForbidden, resp.Status, "an API token has no session: %s", resp.Body)
	_, _, err := env.App.Accounts.Login(context.Background(), u.Email, "correct horse battery", account.Client{})
	require.NoError(t, err, "the password is unchanged")
}

func TestAPITokens_ListShowsNoSecretsAndLastUse(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	id, secret := newToken(t, env, u, map[string]any{"name": "backup", "scope": "read"})
	var list struct {
		Items []map[string]any `json:"items"`
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/tokens", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.NotContains(t, string(resp.Body), secret)
	require.NotContains(t, string(resp.Body), "atlas_pat_")
	resp.JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, id, list.Items[0]["id"])
	require.Nil(t, list.Items[0]["last_used_at"], "never used yet")
	require.Nil(t, list.Items[0]["expires_at"])

	require.Equal(t, http.StatusOK, me(t, env, secret))
	env.Do(t, http.MethodGet, "/api/v1/auth/tokens", u.Token, nil).JSON(t, &list)
	require.NotNil(t, list.Items[0]["last_used_at"])
	var stored []byte
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT token_hash FROM api_tokens WHERE id = $1`, id).Scan(&stored))
	require.Len(t, stored, 32, "only a hash is stored")
}

func TestAPITokens_RevokedOrExpiredIs401(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now().UTC()}
	env := apitest.New(t, apitest.Opts{NowFunc: clk.Now})
	u, stranger := env.NewUser(t), env.NewUser(t)
	id, secret := newToken(t, env, u, map[string]any{"name": "short", "scope": "read"})
	require.Equal(t, http.StatusOK, me(t, env, secret))
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+id, stranger.Token, nil).Status,
		"someone else's token is not found")
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+uuid.NewString(), u.Token, nil).Status)
	require.Equal(t, http.StatusOK, me(t, env, secret))
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+id, u.Token, nil).Status)
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/me", secret, nil)
	require.Equal(t, http.StatusUnauthorized, resp.Status, "revoked at once")
	require.Contains(t, resp.Header.Get("WWW-Authenticate"), "invalid_token")

	expiry := clk.Now().Add(time.Hour).Format(time.RFC3339)
	_, expiring := newToken(t, env, u, map[string]any{"name": "an hour", "scope": "write", "expires_at": expiry})
	require.Equal(t, http.StatusOK, me(t, env, expiring))
	clk.Advance(time.Hour)
	require.Equal(t, http.StatusUnauthorized, me(t, env, expiring))
	require.Equal(t, http.StatusUnauthorized, me(t, env, "atlas_pat_"+strings.Repeat("A", 43)), "an unknown token")
}

func TestAPITokens_BadInputIs422(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	for name, body := range map[string]map[string]any{
		"past expiry":   {"name": "old", "scope": "read", "expires_at": "2020-01-01T00:00:00Z"},
		"unknown scope": {"name": "x", "scope": "admin"},
		"blank name":    {"name": "   ", "scope": "read"},
		"no scope":      {"name": "x"},
	} {
		resp := env.Do(t, http.MethodPost, "/api/v1/auth/tokens", u.Token, body)
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", name, resp.Body)
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/auth/tokens", u.Token, nil)
	require.NotContains(t, string(resp.Body), `"id"`, "nothing was created")
}

func TestChangePassword_EndsOtherSessionsKeepsThisOneAndTokens(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	other, otherCookie := signIn(t, env, u.Email)
	_, pat := newToken(t, env, u, map[string]any{"name": "script", "scope": "read"})

	wrong := env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token,
		map[string]any{"current_password": "not the password", "new_password": "a much better password"})
	require.Equal(t, http.StatusForbidden, wrong.Status, "%s", wrong.Body)
	require.Equal(t, http.StatusOK, me(t, env, other), "a refused change changes nothing")
	weak := env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token,
		map[string]any{"current_password": "correct horse battery", "new_password": "short"})
	require.Equal(t, http.StatusUnprocessableEntity, weak.Status, "%s", weak.Body)

	resp := env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token,
		map[string]any{"current_password": "correct horse battery", "new_password": "a much better password"})
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Equal(t, http.StatusOK, me(t, env, u.Token), "the current session goes on")
	require.Equal(t, http.StatusUnauthorized, me(t, env, other), "other sessions end")
	require.Equal(t, http.StatusUnauthorized, refresh(t, env, otherCookie).Status)
	require.Equal(t, http.StatusOK, me(t, env, pat), "API tokens stay valid")

	login := func(password string) int {
		return env.Do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": password}).Status
	}
	require.Equal(t, http.StatusUnauthorized, login("correct horse battery"))
	require.Equal(t, http.StatusOK, login("a much better password"))
}

func TestAudit_AccountEventsAreSeenByTheAccountHolderOnly(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	signIn(t, env, u.Email) // a second session, which the password change ends
	tokenID, _ := newToken(t, env, u, map[string]any{"name": "script", "scope": "read"})
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+tokenID, u.Token, nil).Status)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodPost, "/api/v1/auth/password", u.Token,
		map[string]any{"current_password": "correct horse battery", "new_password": "a much better password"}).Status)

	// Record what the audit consumer would from the outbox's envelopes.
	envs := outboxEvents(t, env, u.ID)
	var types []events.Type
	rows := make([]audit.Event, 0, len(envs))
	for _, e := range envs {
		types = append(types, e.Type)
		rows = append(rows, audit.Event{EventID: e.EventID, Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt,
			RecordedAt: time.Now().UTC(), ActorUserID: e.ActorUserID, Entity: e.Entity, Data: e.Data, TraceID: e.TraceID, RequestID: e.RequestID})
	}
	require.Equal(t, []events.Type{events.APITokenCreated, events.APITokenRevoked, events.PasswordChanged, events.SessionRevoked}, types)
	_, err := audit.Store{}.Append(context.Background(), env.Pool, rows)
	require.NoError(t, err)
	report, err := audit.Verify(context.Background(), env.Pool)
	require.NoError(t, err)
	require.Nil(t, report.Broken, "user events (no collection) keep the hash chain verifiable")
	require.EqualValues(t, 4, report.Rows)

	var page struct {
		Items []struct {
			Type   string         `json:"type"`
			Entity map[string]any `json:"entity"`
			Data   map[string]any `json:"data"`
		} `json:"items"`
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/audit?entity_type=user", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &page)
	require.Len(t, page.Items, 4)
	require.Equal(t, "SessionRevoked", page.Items[0].Type, "newest first")
	require.Equal(t, "password_changed", page.Items[0].Data["reason"])
	require.Equal(t, map[string]any{"type": "user", "id": u.ID.String(), "collection_id": nil, "name": "Test User", "gone": false, "collection_name": ""}, page.Items[0].Entity)

	for _, q := range []string{"entity_type=user", "entity_type=user&entity_id=" + u.ID.String(), "actor_user_id=" + u.ID.String(), ""} {
		resp := env.Do(t, http.MethodGet, "/api/v1/audit?"+q, other.Token, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", q, resp.Body)
		resp.JSON(t, &page)
		require.Empty(t, page.Items, "nobody else sees %s's account events (?%s)", u.Email, q)
	}
}
