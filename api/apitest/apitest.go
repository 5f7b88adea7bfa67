// Package apitest runs the real Atlas HTTP API against a fresh, migrated
// Postgres database for one test, and offers small factories for the
// fixtures tests need (users with tokens, collections, members, items).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/app"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
)

// CheapHash keeps password hashing fast in tests (never use in production).
var CheapHash = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Env is a running API with its database.
type Env struct {
	URL    string
	Pool   *pgxpool.Pool
	App    *app.App
	Config config.Config
	Client *http.Client
}

// Opts tunes New.
type Opts struct {
	// Tracer observes every query the application makes.
	Tracer pgx.QueryTracer
	// Configure edits the configuration before the app is built.
	Configure func(*config.Config)
	// Outbox replaces the table outbox (see app.Params.Outbox).
	Outbox events.Enqueuer
	// MaxConns sizes the database pool (default 20).
	MaxConns int32
	// NowFunc replaces the application's clock (token and session expiry).
	NowFunc func() time.Time
}

// TestConfig is a valid configuration for tests.
func TestConfig(t testing.TB) config.Config {
	t.Helper()
	// Rate limits are on, as everywhere, but raised far above what tests
	// send from one address as one user; the rate-limit tests lower them.
	cfg, err := config.LoadFrom([]string{"ATLAS_JWT_SECRET=test-secret-test-secret-test-secret-0123",
		"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE=10000", "ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE=100000",
		"ATLAS_RATE_LIMIT_USER_PER_MINUTE=1000000"})
	require.NoError(t, err)
	return cfg
}

// New starts the API on a fresh database.
func New(t testing.TB, opts ...Opts) *Env {
	t.Helper()
	var o Opts
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.MaxConns == 0 {
		o.MaxConns = 20
	}
	pool := dbtest.New(t, dbtest.Opts{Tracer: o.Tracer, MaxConns: o.MaxConns})
	cfg := TestConfig(t)
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	return serve(t, pool, cfg, o)
}

// NewOn starts a second API process on env's database and configuration
// (another replica, with caches of its own).
func NewOn(t testing.TB, env *Env) *Env {
	t.Helper()
	return serve(t, env.Pool, env.Config, Opts{})
}

func serve(t testing.TB, pool *pgxpool.Pool, cfg config.Config, o Opts) *Env {
	t.Helper()
	a, err := app.New(app.Params{Config: cfg, Pool: pool, PasswordHash: CheapHash, Outbox: o.Outbox, NowFunc: o.NowFunc})
	require.NoError(t, err)
	t.Cleanup(a.SearchIndex.Close)
	srv := httptest.NewServer(a.Server)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	return &Env{URL: srv.URL, Pool: pool, App: a, Config: cfg, Client: client}
}

// WithSearch returns env served again (same database and services) by an
// API whose searches read ix, an index of the test's own (from
// searchtest.NewIndex) rather than the configured one.
func (e *Env) WithSearch(t testing.TB, ix *search.Index) *Env {
	t.Helper()
	codec, err := cursor.NewCodec(e.Config.CursorKey())
	require.NoError(t, err)
	ps := e.App.APIParams()
	ps.Search = search.NewService(search.ServiceParams{DB: e.Pool, Collections: e.App.Collections, Index: ix, Cursors: codec})
	srv := httptest.NewServer(api.NewServer(ps))
	t.Cleanup(srv.Close)
	own := *e
	own.URL = srv.URL
	return &own
}

// User is a registered user with a session: a valid access token and the
// session's refresh token (the cookie's value).
type User struct {
	ID        uuid.UUID
	Email     string
	Token     string
	Refresh   string
	SessionID uuid.UUID
}

// NewUser registers a user directly through the service and logs them in.
func (e *Env) NewUser(t testing.TB) User {
	t.Helper()
	email := fmt.Sprintf("user-%s@example.com", uuid.NewString()[:8])
	ctx := context.Background()
	u, err := e.App.Accounts.Register(ctx, account.RegisterParams{Email: email, Password: "correct horse battery", DisplayName: "Test User"})
	require.NoError(t, err)
	in, _, err := e.App.Accounts.Login(ctx, email, "correct horse battery", account.Client{UserAgent: "apitest"})
	require.NoError(t, err)
	return User{ID: u.ID, Email: email, Token: in.Access.AccessToken, Refresh: in.RefreshToken, SessionID: in.Session.ID}
}

// SessionCookie returns the headers of a cookie-authenticated call from
// Atlas' own origin: the session cookie holding refresh and the Origin.
func (e *Env) SessionCookie(refresh string) []string {
	return []string{"Cookie", "atlas_session=" + refresh, "Origin", e.URL}
}

// NewCollection creates a collection owned by owner.
func (e *Env) NewCollection(t testing.TB, owner User) collection.Collection {
	t.Helper()
	c, err := e.App.Collections.Create(context.Background(), owner.ID, collection.CreateParams{Name: "Collection " + uuid.NewString()[:6]})
	require.NoError(t, err)
	return c
}

// AddMember gives user a role in the collection (owner acts).
func (e *Env) AddMember(t testing.TB, owner User, c uuid.UUID, user User, role collection.Role) {
	t.Helper()
	_, err := e.App.Collections.AddMember(context.Background(), owner.ID, c, collection.AddMemberParams{UserID: &user.ID, Role: role})
	require.NoError(t, err)
}

// NewItem creates an item in collection c as actor.
func (e *Env) NewItem(t testing.TB, actor User, c uuid.UUID, p item.CreateParams) item.Item {
	t.Helper()
	if p.Title == "" {
		p.Title = "Item " + uuid.NewString()[:6]
	}
	it, err := e.App.Items.Create(context.Background(), actor.ID, c, p)
	require.NoError(t, err)
	return it
}

// T is what Do and Response's decoders need of a test: a testing.TB, or the
// *assert.CollectT of a require.EventuallyWithT condition (which runs on a
// goroutine of its own, where only a CollectT may fail).
type T interface {
	require.TestingT
	Helper()
}

// RawBody is a request body Do sends as it is (as text/html unless a
// Content-Type header is given), not as JSON.
type RawBody string

// Response is a decoded API response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body as a JSON object.
func (r Response) Map(t T) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request with an optional bearer token and JSON body, failing
// the test if it cannot be sent. Call it on the test's goroutine only; from
// other goroutines use Send.
func (e *Env) Do(t T, method, path, token string, body any, headers ...string) Response {
	t.Helper()
	resp, err := e.Send(method, path, token, body, headers...)
	require.NoError(t, err)
	return resp
}

// Send is Do for any goroutine: it returns the error instead of failing the
// test (require's t.FailNow must run on the test's goroutine).
func (e *Env) Send(method, path, token string, body any, headers ...string) (Response, error) {
	var rdr io.Reader
	contentType := "application/json"
	if raw, ok := body.(RawBody); ok {
		rdr, contentType = strings.NewReader(string(raw)), "text/html"
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Response{}, fmt.Errorf("encode body: %w", err)
		}
		rdr = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.URL+path, rdr)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// Outbox returns the events waiting in the outbox (committed, not yet
// published), in seq order, with each one's stored JSON; entityID, when not
// nil, keeps only that entity's events.
func (e *Env) Outbox(t testing.TB, entityID *uuid.UUID) ([]events.Envelope, []string) {
	t.Helper()
	rows, err := e.Pool.Query(context.Background(),
		`SELECT envelope::text FROM atlas_outbox WHERE $1::uuid IS NULL OR envelope->'entity'->>'id' = $1::text ORDER BY seq`, entityID)
	require.NoError(t, err)
	defer rows.Close()
	var envs []events.Envelope
	var raws []string
	for rows.Next() {
		var raw string
		require.NoError(t, rows.Scan(&raw))
		var env events.Envelope
		require.NoError(t, json.Unmarshal([]byte(raw), &env))
		envs, raws = append(envs, env), append(raws, raw)
	}
	require.NoError(t, rows.Err())
	return envs, raws
}
