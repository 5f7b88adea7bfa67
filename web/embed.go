// Package web serves Atlas' React dashboard, built by Vite into web/dist and
// embedded in the binary, so `atlas serve` shows the UI at / with no extra
// process or file on disk.
//
// Hashed assets under /assets/ are cached forever (their names change with
// their content); index.html is never cached, so a deploy takes effect on the
// next page load. Client-side routes (/collections/..., /search, ...) fall back
// to index.html, except under the server's own prefixes (/api/, /openapi,
// /docs, ...), which answer 404 here rather than an HTML page.
//
// A fresh clone has only dist/.gitkeep: the binary still builds, and the
// handler answers a short page that says how to build the dashboard.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed all:dist
var dist embed.FS

// reservedPrefixes are the server's own paths: the UI never answers them with
// index.html, so a mistyped API URL gets a 404 instead of a web page.
var reservedPrefixes = []string{"/api/", "/feeds/", "/openapi", "/docs", "/schemas", "/riverui", "/health", "/ready", "/metrics"}

const (
	// cacheImmutable is for content-hashed assets: their URL changes when they do.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheRevalidate is for index.html: always ask the server (cheap with the ETag).
	cacheRevalidate = "no-cache"
	// cacheShort is for the few unhashed files (icons, robots.txt).
	cacheShort = "public, max-age=3600"

	// contentSecurityPolicy allows only the dashboard's own scripts, styles and API.
	contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

	notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atlas: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Dashboard not built</h1>
<p>This binary was built without the web dashboard. Run <code>./scripts/web build</code>, then rebuild
and restart Atlas. The API is available under <a href="/docs">/docs</a>.</p>
</body></html>
`
)

// Handler serves the embedded dashboard.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub only fails on an invalid path; "dist" is a constant.
		panic(fmt.Sprintf("web: sub filesystem: %v", err))
	}
	return NewHandler(sub)
}

// NewHandler serves the dashboard from files, a directory laid out like
// Vite's output (index.html, assets/...). Handler uses the embedded build;
// tests pass their own files.
func NewHandler(files fs.FS) http.Handler {
	return &handler{files: files}
}

type handler struct {
	files fs.FS
	// etags caches each served file's ETag (name → tag); the files never change.
	etags sync.Map
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for _, prefix := range reservedPrefixes {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			notFound(w, r)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if h.serveFile(w, r, name) {
			return
		}
		// A missing asset is a 404: answering index.html would hand the
		// browser HTML where it expects a script or a stylesheet.
		if name == "assets" || strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
	}
	// "/", "/index.html" and client-side routes all get the app shell.
	if !h.serveFile(w, r, "index.html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, notBuiltPage)
	}
}

// serveFile writes the named file and reports whether it exists.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) bool {
	f, err := h.files.Open(name)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		return false
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return false
	}
	tag, err := h.etag(name, rs)
	if err != nil {
		http.Error(w, "read failed", http.StatusInternalServerError)
		return true
	}
	hdr := w.Header()
	switch {
	case name == "index.html":
		hdr.Set("Cache-Control", cacheRevalidate)
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("X-Frame-Options", "DENY")
	case strings.HasPrefix(name, "assets/"):
		hdr.Set("Cache-Control", cacheImmutable)
	default:
		hdr.Set("Cache-Control", cacheShort)
	}
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("ETag", tag)
	// ServeContent picks the Content-Type from the extension and answers
	// If-None-Match and Range requests.
	http.ServeContent(w, r, name, info.ModTime(), rs)
	return true
}

// etag returns the strong ETag of a file, hashing it on first use
// (concurrent first uses may both hash; they store the same value).
func (h *handler) etag(name string, rs io.ReadSeeker) (string, error) {
	if tag, ok := h.etags.Load(name); ok {
		return tag.(string), nil
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, rs); err != nil {
		return "", fmt.Errorf("hash %s: %w", name, err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rewind %s: %w", name, err)
	}
	tag := `"` + hex.EncodeToString(sum.Sum(nil)[:12]) + `"`
	h.etags.Store(name, tag)
	return tag, nil
}

// notFound answers a reserved path no route claimed: problem JSON under /api/
// (what API clients expect), plain text elsewhere.
func notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"title": "Not Found", "status": http.StatusNotFound,
			"detail": "No API route matches " + r.Method + " " + r.URL.Path + ".",
		})
		return
	}
	http.NotFound(w, r)
}
