// Package apitest runs the real Atlas HTTP API for one test, on the domain
// services testfactory wires on a fresh, migrated Postgres database; it is
// for the edge's tests (decoding, status codes, the RBAC matrix). Domain
// rules are tested in their packages through testfactory, without HTTP.
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

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/testfactory"
	"github.com/atlasapp/atlas/web"
)

// CheapHash keeps password hashing fast in tests (never use in production).
var CheapHash = testfactory.CheapHash

// Opts tunes New (see testfactory.Opts).
type Opts = testfactory.Opts

// User is a registered user with a session (see testfactory.User).
type User = testfactory.User

// App is what the API serves: the domain services, the search service on
// the configured index, and the HTTP server in front of them (with River UI
// and the dashboard, as `atlas serve` runs it).
type App struct {
	testfactory.Services
	Search      *search.Service
	SearchIndex *search.Index
	Server      *api.Server
}

// Env is a running API with its database and services.
type Env struct {
	*testfactory.Env
	URL    string
	App    *App
	Client *http.Client
	// HTTP is the test server (closed when the test ends; Close waits for
	// the requests in flight).
	HTTP *httptest.Server
}

// New starts the API on a fresh database.
func New(t testing.TB, opts ...Opts) *Env {
	t.Helper()
	return serve(t, testfactory.New(t, opts...))
}

// NewOn starts a second API process on env's database and configuration
// (another replica, with services and caches of its own).
func NewOn(t testing.TB, env *Env) *Env {
	t.Helper()
	return serve(t, testfactory.On(t, env.Pool, env.Config, Opts{Logger: env.Logger}))
}

func serve(t testing.TB, f *testfactory.Env) *Env {
	t.Helper()
	index, err := params.NewSearchIndex(f.Config)
	require.NoError(t, err)
	t.Cleanup(index.Close)
	a := &App{Services: f.Services, SearchIndex: index,
		Search: search.NewService(search.ServiceParams{DB: f.Pool, Collections: f.Collections, Index: index, Cursors: f.Cursors})}
	riverUI, err := api.NewRiverUI(f.River, f.Logger)
	require.NoError(t, err)
	a.Server = api.NewServer(api.Params{Accounts: f.Accounts, Collections: f.Collections, Items: f.Items, Audit: f.Audit,
		Jobs: f.Jobs, Search: a.Search, PublicLinks: f.PublicLinks, Webhooks: f.Webhooks, Archive: f.Archive, Logger: f.Logger, Edge: params.Edge(f.Config),
		RiverUI: api.RiverUIParams{Handler: riverUI, AdminEmails: f.Config.AdminEmails, Password: f.Config.RiverUIPassword.Value()},
		SSO:     params.SSO(f.Config, f.Accounts), NoPasswordLogin: !f.Config.PasswordLogin})
	a.Server.Router().Handle("/*", web.Handler()) // the React dashboard, at / and its client-side routes
	srv := httptest.NewServer(a.Server)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	return &Env{Env: f, URL: srv.URL, App: a, Client: client, HTTP: srv}
}

// WithSearch returns env served again (same database and services) by an
// API whose searches read ix, an index of the test's own (from
// searchtest.NewIndex) rather than the configured one.
func (e *Env) WithSearch(t testing.TB, ix *search.Index) *Env {
	t.Helper()
	svc := search.NewService(search.ServiceParams{DB: e.Pool, Collections: e.Collections, Index: ix, Cursors: e.Cursors})
	srv := httptest.NewServer(api.NewServer(api.Params{Accounts: e.Accounts, Collections: e.Collections, Items: e.Items,
		Audit: e.Audit, Jobs: e.Jobs, Search: svc, PublicLinks: e.PublicLinks}))
	t.Cleanup(srv.Close)
	own := *e
	own.URL, own.HTTP = srv.URL, srv
	return &own
}

// SessionCookie returns the headers of a cookie-authenticated call from
// Atlas' own origin: the session cookie holding refresh and the Origin.
func (e *Env) SessionCookie(refresh string) []string {
	return []string{"Cookie", "atlas_session=" + refresh, "Origin", e.URL}
}

// T is what Do and Response's decoders need of a test (see testfactory.T).
type T = testfactory.T

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
