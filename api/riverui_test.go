package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
)

const riverUIPassword = "operators-only-password"

// riverUIEnv runs the API with one operator (by email) and a River UI
// password.
func riverUIEnv(t *testing.T) (*apitest.Env, apitest.User) {
	t.Helper()
	const opEmail = "ops@example.com"
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) {
		c.AdminEmails = []string{"someone-else@example.com", "OPS@example.com"}
		c.RiverUIPassword = riverUIPassword
	}})
	ctx := context.Background()
	u, err := env.App.Accounts.Register(ctx, account.RegisterParams{Email: opEmail, Password: "correct horse battery", DisplayName: "Ops"})
	require.NoError(t, err)
	in, _, err := env.App.Accounts.Login(ctx, opEmail, "correct horse battery", account.Client{})
	require.NoError(t, err)
	return env, apitest.User{ID: u.ID, Email: opEmail, Token: in.Access.AccessToken}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func TestRiverUI_OnlyOperatorsGetIn(t *testing.T) {
	t.Parallel()
	env, op := riverUIEnv(t)
	user := env.NewUser(t)

	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"invalid token", "Bearer not-a-token", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"a user who is not an operator", "Bearer " + user.Token, http.StatusForbidden},
		{"an operator's token", "Bearer " + op.Token, http.StatusOK},
		{"basic: operator and password", basic("Ops@Example.com", riverUIPassword), http.StatusOK},
		{"basic: wrong password", basic(op.Email, riverUIPassword+"x"), http.StatusUnauthorized},
		{"basic: not an operator", basic(user.Email, riverUIPassword), http.StatusUnauthorized},
		{"basic: empty password", basic(op.Email, ""), http.StatusUnauthorized},
		{"unknown scheme", "Digest username=ops", http.StatusUnauthorized},
	}
	for _, path := range []string{"/riverui/", "/riverui/api/jobs?state=available", "/riverui/queues"} {
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				var hdr []string
				if tt.auth != "" {
					hdr = []string{"Authorization", tt.auth}
				}
				resp := env.Do(t, http.MethodGet, path, "", nil, hdr...)
				require.Equal(t, tt.status, resp.Status, "%s", resp.Body)
				if tt.status == http.StatusUnauthorized {
					assert.Contains(t, strings.Join(resp.Header.Values("WWW-Authenticate"), ","), `Basic realm="Atlas River UI"`)
				}
				if tt.status >= 400 {
					assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
					assert.NotContains(t, string(resp.Body), "river", "nothing of River UI leaks")
				}
			})
		}
	}
}

func TestRiverUI_ShowsAtlasJobs(t *testing.T) {
	t.Parallel()
	env, op := riverUIEnv(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/riverui"})

	page := env.Do(t, http.MethodGet, "/riverui/", op.Token, nil)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Header.Get("Content-Type"), "text/html")
	assert.Equal(t, "DENY", page.Header.Get("X-Frame-Options"))

	resp := env.Do(t, http.MethodGet, "/riverui/api/jobs?state=available&limit=100", op.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	assert.Contains(t, string(resp.Body), `"kind":"enrich_url"`)
	assert.Contains(t, string(resp.Body), it.ID.String())
}

func TestRiverUI_RefusesCrossSiteChanges(t *testing.T) {
	t.Parallel()
	env, op := riverUIEnv(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/cancel-me"})
	jobs := walk(t, env, owner.Token, "/api/v1/jobs?item_id="+it.ID.String())
	require.Len(t, jobs, 1)
	id := fmt.Sprintf("%.0f", jobs[0]["id"])
	cancel := map[string]any{"ids": []string{id}}

	// A page on another site making the operator's browser cancel a job
	// with its remembered Basic credentials.
	resp := env.Do(t, http.MethodPost, "/riverui/api/jobs/cancel", "", cancel,
		"Authorization", basic(op.Email, riverUIPassword), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	assert.Equal(t, "QUEUED", env.Do(t, http.MethodGet, "/api/v1/jobs/"+id, owner.Token, nil).Map(t)["status"])

	// The same request from River UI's own page goes through, and the API
	// shows the operator's cancellation as CANCELLED.
	resp = env.Do(t, http.MethodPost, "/riverui/api/jobs/cancel", "", cancel,
		"Authorization", basic(op.Email, riverUIPassword), "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	assert.Equal(t, "CANCELLED", env.Do(t, http.MethodGet, "/api/v1/jobs/"+id, owner.Token, nil).Map(t)["status"])
}

func TestRiverUI_NobodyWithoutAdmins(t *testing.T) {
	t.Parallel()
	env := apitest.New(t) // no ATLAS_ADMIN_EMAILS, no password
	user := env.NewUser(t)
	resp := env.Do(t, http.MethodGet, "/riverui/", user.Token, nil)
	assert.Equal(t, http.StatusForbidden, resp.Status)
	resp = env.Do(t, http.MethodGet, "/riverui/", "", nil, "Authorization", basic(user.Email, ""))
	assert.Equal(t, http.StatusUnauthorized, resp.Status)
	assert.NotContains(t, strings.Join(resp.Header.Values("WWW-Authenticate"), ","), "Basic", "Basic is off without a password")
}
