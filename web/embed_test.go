package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/web"
)

const indexHTML = `<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>`

func built() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte(indexHTML)},
		"assets/index-abc123.js":  {Data: []byte(`console.log("atlas")`)},
		"assets/index-def456.css": {Data: []byte(`body{margin:0}`)},
		"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		".gitkeep":                {Data: nil},
	}
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestHandler_IndexIsHTMLAndNeverCached(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	for _, target := range []string{"/", "/index.html"} {
		res, body := get(t, h, http.MethodGet, target, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, target)
		assert.Equal(t, indexHTML, body, target)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), target)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), target)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'", target)
		assert.NotEmpty(t, res.Header.Get("ETag"), target)
	}
}

func TestHandler_HashedAssetsAreImmutableWithTheirContentType(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	cases := map[string]string{
		"/assets/index-abc123.js":  "text/javascript; charset=utf-8",
		"/assets/index-def456.css": "text/css; charset=utf-8",
	}
	for target, ctype := range cases {
		res, body := get(t, h, http.MethodGet, target, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, target)
		assert.NotEmpty(t, body, target)
		assert.Equal(t, ctype, res.Header.Get("Content-Type"), target)
		assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"), target)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), target)
	}
	res, _ := get(t, h, http.MethodGet, "/favicon.svg", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
	assert.Equal(t, "public, max-age=3600", res.Header.Get("Cache-Control"), "unhashed files are cached briefly")
}

func TestHandler_ClientRoutesGetTheAppShell(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	for _, target := range []string{"/login", "/collections/0190a0b4-7c1e-7000-8000-000000000001", "/items/x/edit?from=list", "/search", "/jobs"} {
		res, body := get(t, h, http.MethodGet, target, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, target)
		assert.Equal(t, indexHTML, body, target)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), target)
	}
}

func TestHandler_ReservedPathsNeverGetTheAppShell(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	for _, target := range []string{
		"/api/v1/search/items", "/api/v1/nope", "/openapi.json", "/openapi.yaml", "/docs", "/docs/x",
		"/schemas/Item.json", "/riverui/", "/health", "/ready", "/metrics",
	} {
		res, body := get(t, h, http.MethodGet, target, nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, target)
		assert.NotContains(t, body, `id="root"`, target)
	}
}

func TestHandler_UnknownAPIRouteIsProblemJSON(t *testing.T) {
	t.Parallel()
	res, body := get(t, web.NewHandler(built()), http.MethodGet, "/api/v1/jobs?status=RUNNING", nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var problem struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &problem), body)
	assert.Equal(t, 404, problem.Status)
	assert.Equal(t, "No API route matches GET /api/v1/jobs.", problem.Detail)
}

func TestHandler_MissingAssetIs404NotHTML(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	for _, target := range []string{"/assets/index-old999.js", "/robots.txt", "/assets/"} {
		res, body := get(t, h, http.MethodGet, target, nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, target)
		assert.NotContains(t, body, `id="root"`, target)
	}
}

func TestHandler_ETagAnswers304(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	res, _ := get(t, h, http.MethodGet, "/assets/index-abc123.js", nil)
	tag := res.Header.Get("ETag")
	require.NotEmpty(t, tag)
	res, body := get(t, h, http.MethodGet, "/assets/index-abc123.js", map[string]string{"If-None-Match": tag})
	assert.Equal(t, http.StatusNotModified, res.StatusCode)
	assert.Empty(t, body)
	other, _ := get(t, h, http.MethodGet, "/", nil)
	assert.NotEqual(t, tag, other.Header.Get("ETag"), "different files, different tags")
}

func TestHandler_OnlyGetAndHead(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(built())
	res, body := get(t, h, http.MethodHead, "/collections", nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, body)
	res, _ = get(t, h, http.MethodPost, "/collections", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
}

func TestHandler_NotBuiltExplainsHowToBuild(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(fstest.MapFS{".gitkeep": {Data: nil}})
	for _, target := range []string{"/", "/collections"} {
		res, body := get(t, h, http.MethodGet, target, nil)
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode, target)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Contains(t, body, "./scripts/web build", target)
	}
}

func TestHandler_EmbeddedBuildServesTheShellOrTheBuildHint(t *testing.T) {
	t.Parallel()
	res, body := get(t, web.Handler(), http.MethodGet, "/collections", nil)
	switch res.StatusCode {
	case http.StatusOK: // web/dist holds a build
		assert.Contains(t, body, `<div id="root">`)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
	case http.StatusServiceUnavailable: // fresh clone: only dist/.gitkeep
		assert.Contains(t, body, "./scripts/web build")
	default:
		t.Fatalf("GET /collections = %d, want 200 (built) or 503 (not built): %s", res.StatusCode, body)
	}
}

func TestHandler_MountedAsCatchAllLeavesOtherRoutesAlone(t *testing.T) {
	t.Parallel()
	r := chi.NewRouter()
	r.Get("/api/v1/auth/me", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "me") })
	r.Get("/openapi.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") })
	r.Handle("/*", web.NewHandler(built()))

	_, body := get(t, r, http.MethodGet, "/api/v1/auth/me", nil)
	assert.Equal(t, "me", body)
	_, body = get(t, r, http.MethodGet, "/openapi.json", nil)
	assert.Equal(t, "{}", body)
	res, body := get(t, r, http.MethodGet, "/collections/abc", nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.True(t, strings.Contains(body, `id="root"`))
	res, _ = get(t, r, http.MethodGet, "/api/v1/unknown", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}
