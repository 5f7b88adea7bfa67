package enrich_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/retry"
)

// serve starts an httptest server on 127.0.0.1 for the test's lifetime.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// servePage serves body with contentType (and extra headers) at every path.
func servePage(t *testing.T, contentType string, headers map[string]string, body []byte) *httptest.Server {
	t.Helper()
	return serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		_, _ = w.Write(body)
	}))
}

// loopbackFetcher returns a fetcher allowed to reach the test's httptest
// servers on loopback, and nothing else.
func loopbackFetcher(opts enrich.FetcherOpts) *enrich.Fetcher {
	opts.AllowLoopback = true
	return enrich.NewFetcher(opts)
}

func windows1252(t *testing.T, s string) []byte {
	t.Helper()
	out, err := charmap.Windows1252.NewEncoder().String(s)
	require.NoError(t, err)
	return []byte(out)
}

func shiftJIS(t *testing.T, s string) []byte {
	t.Helper()
	out, err := japanese.ShiftJIS.NewEncoder().String(s)
	require.NoError(t, err)
	return []byte(out)
}

func TestFetch_ExtractsMetadata(t *testing.T) {
	t.Parallel()
	// {base} in a wanted URL stands for the test server's http://127.0.0.1:port.
	tests := []struct {
		name        string
		contentType string
		headers     map[string]string
		body        func(t *testing.T) []byte
		path        string
		want        enrich.Result
	}{
		{
			name:        "title, description, canonical, icon, lang",
			contentType: "text/html; charset=utf-8",
			body: func(*testing.T) []byte {
				return []byte(`<!DOCTYPE html><html lang="en"><head>
					<title>
						Atlas   &amp; friends
					</title>
					<meta name="description" content="Shared   collections
						of links.">
					<link rel="canonical" href="/articles/1">
					<link rel="icon" href="img/icon.png">
					</head><body><p>Hello</p></body></html>`)
			},
			path: "/articles/1?ref=home",
			want: enrich.Result{
				ContentType: "text/html", Title: "Atlas & friends", Description: "Shared collections of links.",
				CanonicalURL: "{base}/articles/1", FaviconURL: "{base}/articles/img/icon.png",
				Language: "en", Charset: "utf-8",
			},
		},
		{
			name:        "og tags preferred",
			contentType: "text/html",
			body: func(*testing.T) []byte {
				return []byte(`<html><head><meta charset="utf-8"><title>Plain title</title>
					<meta name="description" content="plain">
					<meta property="og:title" content="OG title">
					<meta property="og:description" content="OG description">
					<meta property="og:url" content="https://example.org/canonical">
					<meta property="og:site_name" content="Example">
					<meta property="og:image" content="/images/cover.jpg">
					<meta name="twitter:title" content="Twitter title">
					<link rel="shortcut icon" href="/favicon.png">
					</head></html>`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "OG title", Description: "OG description",
				CanonicalURL: "https://example.org/canonical", SiteName: "Example",
				ImageURL: "{base}/images/cover.jpg", FaviconURL: "{base}/favicon.png", Charset: "utf-8",
			},
		},
		{
			name:        "twitter fallback and default favicon",
			contentType: "text/html; charset=utf-8",
			headers:     map[string]string{"Content-Language": "de-DE"},
			body: func(*testing.T) []byte {
				return []byte(`<html><head><title>Plain</title>
					<meta name="twitter:title" content="Twitter title">
					<meta name="twitter:description" content="Twitter description">
					<meta name="twitter:image" content="https://cdn.example.org/tw.png">
					</head></html>`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "Twitter title", Description: "Twitter description",
				ImageURL: "https://cdn.example.org/tw.png", FaviconURL: "{base}/favicon.ico",
				Language: "de-DE", Charset: "utf-8",
			},
		},
		{
			name:        "windows-1252 from meta charset",
			contentType: "text/html",
			body: func(t *testing.T) []byte {
				return windows1252(t, `<html lang="fr"><head><meta charset="windows-1252">
					<title>Café – crème brûlée</title>
					<meta name="description" content="«Voilà» €5"></head></html>`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "Café – crème brûlée", Description: "«Voilà» €5",
				FaviconURL: "{base}/favicon.ico", Language: "fr", Charset: "windows-1252",
			},
		},
		{
			name:        "windows-1252 from Content-Type",
			contentType: "text/html; charset=windows-1252",
			body: func(t *testing.T) []byte {
				return windows1252(t, `<title>Ærøskøbing – “quoted”</title>`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "Ærøskøbing – “quoted”",
				FaviconURL: "{base}/favicon.ico", Charset: "windows-1252",
			},
		},
		{
			name:        "Shift_JIS from meta http-equiv",
			contentType: "text/html",
			body: func(t *testing.T) []byte {
				return shiftJIS(t, `<html lang="ja"><head>
					<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
					<title>日本語のページ</title>
					<meta property="og:site_name" content="ニュースサイト"></head></html>`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "日本語のページ", SiteName: "ニュースサイト",
				FaviconURL: "{base}/favicon.ico", Language: "ja", Charset: "shift_jis",
			},
		},
		{
			name:        "Shift_JIS from Content-Type",
			contentType: "text/html; charset=shift_jis",
			body: func(t *testing.T) []byte {
				return shiftJIS(t, `<title>東京タワー</title><meta name="description" content="ソフトウェア表示">`)
			},
			want: enrich.Result{
				ContentType: "text/html", Title: "東京タワー", Description: "ソフトウェア表示",
				FaviconURL: "{base}/favicon.ico", Charset: "shift_jis",
			},
		},
		{
			name:        "XHTML",
			contentType: "application/xhtml+xml",
			body: func(*testing.T) []byte {
				return []byte(`<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" xml:lang="nl"><head><title>XHTML</title></head></html>`)
			},
			want: enrich.Result{ContentType: "application/xhtml+xml", Title: "XHTML", Language: "nl",
				FaviconURL: "{base}/favicon.ico", Charset: "windows-1252"},
		},
		{
			name:        "generic content type sniffed as HTML",
			contentType: "application/octet-stream",
			body: func(*testing.T) []byte {
				return []byte(`<!DOCTYPE html><html><head><meta charset=utf-8><title>Sniffed</title></head></html>`)
			},
			want: enrich.Result{ContentType: "text/html", Title: "Sniffed", FaviconURL: "{base}/favicon.ico", Charset: "utf-8"},
		},
		{
			name:        "malformed parameters keep the media type",
			contentType: "text/html; charset",
			body:        func(*testing.T) []byte { return []byte(`<meta charset="utf-8"><title>Odd header</title>`) },
			want:        enrich.Result{ContentType: "text/html", Title: "Odd header", FaviconURL: "{base}/favicon.ico", Charset: "utf-8"},
		},
		{
			name:        "PNG image",
			contentType: "image/png",
			body: func(*testing.T) []byte {
				return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 300)...)
			},
			want: enrich.Result{ContentType: "image/png"},
		},
		{
			name:        "PDF document",
			contentType: "application/pdf",
			body: func(*testing.T) []byte {
				return []byte("%PDF-1.7\n<html><title>not a page</title></html>\n%%EOF\n")
			},
			want: enrich.Result{ContentType: "application/pdf"},
		},
		{
			name:        "plain text keeps its charset",
			contentType: "text/plain; charset=ISO-8859-1",
			body:        func(*testing.T) []byte { return []byte("<title>not HTML</title>") },
			want:        enrich.Result{ContentType: "text/plain", Charset: "iso-8859-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.body(t)
			srv := servePage(t, tt.contentType, tt.headers, body)
			path := tt.path
			if path == "" {
				path = "/page"
			}

			got, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL+path)
			require.NoError(t, err)

			want := tt.want
			want.FinalURL = srv.URL + path
			want.StatusCode = http.StatusOK
			want.Size = int64(len(body))
			for _, f := range []*string{&want.CanonicalURL, &want.FaviconURL, &want.ImageURL} {
				*f = strings.ReplaceAll(*f, "{base}", srv.URL)
			}
			want.Text = got.Text // the page text has its own tests (pagetext_test.go)
			assert.Equal(t, want, got)
		})
	}
}

func TestFetch_SendsUserAgent(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
	}))

	_, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, enrich.DefaultUserAgent, got.Load())

	_, err = loopbackFetcher(enrich.FetcherOpts{UserAgent: "Custom/2"}).Fetch(t.Context(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "Custom/2", got.Load())
}

// redirectChain serves /hop/N redirecting to /hop/N+1 until N == hops, which
// serves a page. Every hop uses a different redirect status.
func redirectChain(t *testing.T, hops int) *httptest.Server {
	t.Helper()
	codes := []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect}
	return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n < hops {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), codes[n%len(codes)])
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<title>Hop %d</title>", n)
	}))
}

func TestFetch_FollowsRedirectChain(t *testing.T) {
	t.Parallel()
	srv := redirectChain(t, 5)

	got, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL+"/hop/0")
	require.NoError(t, err, "exactly MaxRedirects (5) redirects are followed")
	assert.Equal(t, srv.URL+"/hop/5", got.FinalURL)
	assert.Equal(t, "Hop 5", got.Title)
	assert.Equal(t, srv.URL+"/favicon.ico", got.FaviconURL)
}

func TestFetch_FollowsRedirectAcrossHosts(t *testing.T) {
	t.Parallel()
	target := servePage(t, "text/html", nil, []byte(`<meta charset=utf-8><title>Target</title><link rel=icon href="i.ico">`))
	origin := serve(t, http.RedirectHandler(target.URL+"/dir/page", http.StatusFound))

	got, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), origin.URL+"/short")
	require.NoError(t, err)
	assert.Equal(t, target.URL+"/dir/page", got.FinalURL)
	assert.Equal(t, "Target", got.Title)
	assert.Equal(t, target.URL+"/dir/i.ico", got.FaviconURL, "relative URLs resolve against the final URL")
}

func TestFetch_TooManyRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		maxRedirects int
		hops         int
	}{
		{name: "default limit", maxRedirects: 0, hops: 6},
		{name: "custom limit", maxRedirects: 2, hops: 3},
		{name: "no redirects", maxRedirects: -1, hops: 1},
		{name: "loop", maxRedirects: 3, hops: 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := redirectChain(t, tt.hops)
			_, err := loopbackFetcher(enrich.FetcherOpts{MaxRedirects: tt.maxRedirects}).Fetch(t.Context(), srv.URL+"/hop/0")
			require.ErrorIs(t, err, enrich.ErrTooManyRedirects)
			assert.True(t, retry.IsPermanent(err))
		})
	}
}

func TestFetch_TruncatesHugeBody(t *testing.T) {
	t.Parallel()
	head := `<html lang="en"><head><meta charset="utf-8"><title>Huge</title>` +
		`<meta property="og:description" content="Big page"></head><body>`
	filler := strings.Repeat("<p>0123456789 abcdefghij</p>\n", 4096) // ~116 KB
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, head)
		for range 50 { // ~5.8 MB in total
			if _, err := io.WriteString(w, filler); err != nil {
				return // the client hung up after its cap
			}
		}
	}))

	tests := []struct {
		name string
		cap  int64
		want int64
	}{
		{name: "default 2 MiB cap", cap: 0, want: enrich.DefaultMaxBodyBytes},
		{name: "small cap", cap: 1000, want: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loopbackFetcher(enrich.FetcherOpts{MaxBodyBytes: tt.cap}).Fetch(t.Context(), srv.URL)
			require.NoError(t, err)
			assert.True(t, got.Truncated)
			assert.Equal(t, tt.want, got.Size)
			assert.Equal(t, "Huge", got.Title, "the kept part is still parsed")
			assert.Equal(t, "Big page", got.Description)
			assert.Equal(t, "en", got.Language)
		})
	}

	small := servePage(t, "text/html", nil, []byte("<title>Small</title>"))
	got, err := loopbackFetcher(enrich.FetcherOpts{MaxBodyBytes: 20}).Fetch(t.Context(), small.URL)
	require.NoError(t, err)
	assert.False(t, got.Truncated, "a body of exactly the cap is not truncated")
	assert.Equal(t, int64(20), got.Size)
}

// stallingServer writes the start of a page and then stalls until the client
// gives up or the test ends.
func stallingServer(t *testing.T, sendHeaders bool) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sendHeaders {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><head><title>Slow")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs before srv.Close
	return srv
}

func TestFetch_TotalTimeoutIsTransient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		sendHeaders bool
	}{
		{name: "slow body", sendHeaders: true},
		{name: "slow headers", sendHeaders: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := stallingServer(t, tt.sendHeaders)
			f := loopbackFetcher(enrich.FetcherOpts{TotalTimeout: 300 * time.Millisecond})

			start := time.Now()
			_, err := f.Fetch(t.Context(), srv.URL)
			elapsed := time.Since(start)

			require.Error(t, err)
			assert.False(t, retry.IsPermanent(err), "a timeout is worth retrying: %v", err)
			assert.True(t, isTimeout(err), "want a timeout, got %v", err)
			assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond)
			assert.Less(t, elapsed, 5*time.Second)
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func TestFetch_CallerCancellationIsTransient(t *testing.T) {
	t.Parallel()
	srv := stallingServer(t, true)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	_, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(ctx, srv.URL)
	require.Error(t, err)
	assert.False(t, retry.IsPermanent(err))
}

func TestFetch_StatusClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status     int
		permanent  bool
		retryAfter string
		wantRetry  time.Duration
	}{
		{status: http.StatusBadRequest, permanent: true},
		{status: http.StatusUnauthorized, permanent: true},
		{status: http.StatusForbidden, permanent: true},
		{status: http.StatusNotFound, permanent: true},
		{status: http.StatusGone, permanent: true},
		{status: http.StatusUnavailableForLegalReasons, permanent: true},
		{status: http.StatusRequestTimeout},
		{status: http.StatusTooManyRequests, retryAfter: "120", wantRetry: 2 * time.Minute},
		{status: http.StatusInternalServerError},
		{status: http.StatusBadGateway},
		{status: http.StatusServiceUnavailable, retryAfter: "30", wantRetry: 30 * time.Second},
		{status: http.StatusGatewayTimeout},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, "<title>Error page</title>")
			}))

			got, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL+"/x")
			require.Error(t, err)
			assert.Equal(t, tt.permanent, retry.IsPermanent(err), "retry.IsPermanent(%v)", err)
			var se *enrich.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.status, se.StatusCode)
			assert.Equal(t, srv.URL+"/x", se.URL)
			assert.Equal(t, tt.wantRetry, se.RetryAfter)
			assert.Equal(t, tt.status, got.StatusCode)
			assert.Equal(t, srv.URL+"/x", got.FinalURL)
			assert.Empty(t, got.Title, "error pages are not extracted")
		})
	}
}

func TestFetch_StatusAfterRedirectReportsFinalURL(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/gone", http.StatusMovedPermanently))
	mux.HandleFunc("/gone", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	srv := serve(t, mux)

	got, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL+"/old")
	require.Error(t, err)
	assert.True(t, retry.IsPermanent(err))
	assert.Equal(t, srv.URL+"/gone", got.FinalURL)
	assert.Equal(t, http.StatusGone, got.StatusCode)
}

func TestFetch_RejectsInvalidURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want error
	}{
		{raw: "ftp://example.com/file", want: enrich.ErrUnsupportedScheme},
		{raw: "file:///etc/passwd", want: enrich.ErrUnsupportedScheme},
		{raw: "gopher://127.0.0.1:70/", want: enrich.ErrUnsupportedScheme},
		{raw: "javascript:alert(1)", want: enrich.ErrUnsupportedScheme},
		{raw: "data:text/html,<title>x</title>", want: enrich.ErrUnsupportedScheme},
		{raw: "example.com/no-scheme", want: enrich.ErrUnsupportedScheme},
		{raw: "", want: enrich.ErrUnsupportedScheme},
		{raw: "http://user:secret@127.0.0.1/", want: enrich.ErrInvalidURL},
		{raw: "https://user@example.com/", want: enrich.ErrInvalidURL},
		{raw: "http:///no-host", want: enrich.ErrInvalidURL},
		{raw: "http://[::1/", want: enrich.ErrInvalidURL},
		{raw: "http://exa mple.com/", want: enrich.ErrInvalidURL},
	}
	f := enrich.NewFetcher(enrich.FetcherOpts{})
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			_, err := f.Fetch(t.Context(), tt.raw)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, retry.IsPermanent(err))
			assert.NotContains(t, err.Error(), "secret", "credentials are not echoed")
		})
	}
}

// countingServer is a server that must never be reached; it counts requests.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "<title>internal</title>")
	}))
	return srv, &hits
}

// The refused addresses below are checked in the dialer's Control hook, which
// runs before connect(2): no packet is ever sent to them. Loopback targets
// point at a live server so a missed check would show up as a hit.
func TestFetch_BlocksInternalAddresses(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	targets := []string{
		fmt.Sprintf("http://127.0.0.1:%d/", port),
		fmt.Sprintf("http://127.0.0.2:%d/", port),
		fmt.Sprintf("http://localhost:%d/", port),
		fmt.Sprintf("http://LOCALHOST:%d/", port),
		fmt.Sprintf("http://localhost.:%d/", port),
		fmt.Sprintf("http://api.localhost:%d/", port),
		fmt.Sprintf("http://[::1]:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://[::ffff:7f00:1]:%d/", port),
		fmt.Sprintf("http://0.0.0.0:%d/", port),
		fmt.Sprintf("http://[::]:%d/", port),
		"http://10.0.0.1/",
		"http://172.16.0.1/",
		"http://172.31.255.254:8080/",
		"http://192.168.1.1/",
		"https://192.168.0.1/admin",
		"http://100.64.0.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/latest/meta-data/",
		"http://[::ffff:10.0.0.1]/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://[fe80::1]/",
		"http://[fc00::1]/",
		"http://224.0.0.1/",
		"http://255.255.255.255/",
		"http://192.0.2.1/",
	}
	f := enrich.NewFetcher(enrich.FetcherOpts{}) // production configuration
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			_, err := f.Fetch(t.Context(), target)
			require.ErrorIs(t, err, enrich.ErrBlockedAddress)
			assert.True(t, retry.IsPermanent(err))
		})
	}
	t.Cleanup(func() { assert.Zero(t, hits.Load(), "a blocked address was reached") })
}

func TestFetch_AllowLoopbackAllowsOnlyLoopback(t *testing.T) {
	t.Parallel()
	f := loopbackFetcher(enrich.FetcherOpts{})
	for _, target := range []string{
		"http://10.0.0.1/", "http://169.254.169.254/", "http://192.168.1.1/",
		"http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "http://[fd00::1]/",
	} {
		_, err := f.Fetch(t.Context(), target)
		require.ErrorIs(t, err, enrich.ErrBlockedAddress, target)
	}
}

func TestFetch_BlocksRedirectToInternalAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		location string
		want     error
	}{
		{location: "http://10.0.0.1/", want: enrich.ErrBlockedAddress},
		{location: "http://10.1.2.3:8080/internal", want: enrich.ErrBlockedAddress},
		{location: "http://169.254.169.254/latest/meta-data/iam/", want: enrich.ErrBlockedAddress},
		{location: "http://[::ffff:a9fe:a9fe]/latest/", want: enrich.ErrBlockedAddress},
		{location: "http://192.168.1.1/", want: enrich.ErrBlockedAddress},
		{location: "http://172.16.0.1/", want: enrich.ErrBlockedAddress},
		{location: "http://0.0.0.0/", want: enrich.ErrBlockedAddress},
		{location: "file:///etc/passwd", want: enrich.ErrUnsupportedScheme},
		{location: "gopher://127.0.0.1:6379/_INFO", want: enrich.ErrUnsupportedScheme},
		{location: "http://admin:pw@127.0.0.1/", want: enrich.ErrInvalidURL},
	}
	for _, tt := range tests {
		t.Run(tt.location, func(t *testing.T) {
			t.Parallel()
			var hops atomic.Int64
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hops.Add(1)
				http.Redirect(w, r, tt.location, http.StatusFound)
			}))
			// AllowLoopback so the test server itself is reachable; the
			// redirect target must still be refused.
			_, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL+"/start")
			require.ErrorIs(t, err, tt.want)
			assert.True(t, retry.IsPermanent(err))
			assert.Equal(t, int64(1), hops.Load(), "the allowed server was reached once")
		})
	}
}

// fakeDNS resolves the names in table and fails for any other name. It never
// sends a DNS query.
func fakeDNS(table map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		ss, ok := table[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		addrs := make([]netip.Addr, len(ss))
		for i, s := range ss {
			addrs[i] = netip.MustParseAddr(s)
		}
		return addrs, nil
	}
}

func TestFetch_BlocksNameResolvingToInternalAddress(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	resolve := fakeDNS(map[string][]string{
		"internal.example":   {"10.0.0.5"},
		"metadata.example":   {"169.254.169.254"},
		"mapped.example":     {"::ffff:192.168.0.1"},
		"rebind.example":     {"127.0.0.1"},
		"ula.example":        {"fd12::1"},
		"all-bad.example":    {"10.0.0.1", "172.16.5.4", "127.0.0.1"},
		"nat64-meta.example": {"64:ff9b::a9fe:a9fe"},
	})
	f := enrich.NewFetcher(enrich.FetcherOpts{ResolveFunc: resolve})
	for _, host := range []string{"internal.example", "metadata.example", "mapped.example",
		"rebind.example", "ula.example", "all-bad.example", "nat64-meta.example"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			_, err := f.Fetch(t.Context(), fmt.Sprintf("http://%s:%d/", host, port))
			require.ErrorIs(t, err, enrich.ErrBlockedAddress)
			assert.True(t, retry.IsPermanent(err))
		})
	}
	t.Cleanup(func() { assert.Zero(t, hits.Load(), "a blocked address was reached") })
}

func TestFetch_ResolveFuncNames(t *testing.T) {
	t.Parallel()
	var host atomic.Value
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host.Store(r.Host)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<title>Named</title><link rel="icon" href="/i.png">`)
	}))
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	f := loopbackFetcher(enrich.FetcherOpts{ResolveFunc: fakeDNS(map[string][]string{
		"site.example":  {"127.0.0.1"},
		"mixed.example": {"10.0.0.1", "127.0.0.1"}, // the blocked address is skipped
	})})

	for _, name := range []string{"site.example", "mixed.example"} {
		u := fmt.Sprintf("http://%s:%d/p", name, port)
		got, err := f.Fetch(t.Context(), u)
		require.NoError(t, err, name)
		assert.Equal(t, u, got.FinalURL)
		assert.Equal(t, "Named", got.Title)
		assert.Equal(t, fmt.Sprintf("http://%s:%d/i.png", name, port), got.FaviconURL)
		assert.Equal(t, fmt.Sprintf("%s:%d", name, port), host.Load())
	}

	_, err := f.Fetch(t.Context(), "http://unknown.example/")
	require.Error(t, err)
	assert.False(t, retry.IsPermanent(err), "an unknown host may be a passing DNS failure: %v", err)
}

func TestFetch_HTTPS(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<title>Secure</title>`)
	}))
	t.Cleanup(tlsSrv.Close)
	plain := serve(t, http.RedirectHandler(tlsSrv.URL+"/secure", http.StatusMovedPermanently))
	pool := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	got, err := loopbackFetcher(enrich.FetcherOpts{RootCAs: pool}).Fetch(t.Context(), plain.URL)
	require.NoError(t, err)
	assert.Equal(t, tlsSrv.URL+"/secure", got.FinalURL)
	assert.Equal(t, "Secure", got.Title)

	_, err = loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), tlsSrv.URL)
	require.Error(t, err, "an untrusted certificate is refused")
	assert.True(t, retry.IsPermanent(err), "a certificate error is permanent: %v", err)
}

// Not parallel: it sets environment variables. The fetcher must ignore
// HTTP_PROXY/HTTPS_PROXY: the request goes to the target, never the proxy.
func TestFetch_IgnoresEnvironmentProxy(t *testing.T) {
	proxy, proxyHits := countingServer(t)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	target := servePage(t, "text/html", nil, []byte("<title>Direct</title>"))
	port := target.Listener.Addr().(*net.TCPAddr).Port
	// A non-loopback-looking name, which ProxyFromEnvironment would proxy.
	f := loopbackFetcher(enrich.FetcherOpts{ResolveFunc: fakeDNS(map[string][]string{"direct.example": {"127.0.0.1"}})})

	got, err := f.Fetch(t.Context(), fmt.Sprintf("http://direct.example:%d/", port))
	require.NoError(t, err)
	assert.Equal(t, "Direct", got.Title)
	assert.Zero(t, proxyHits.Load())
}

func TestFetch_ConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := servePage(t, "text/html; charset=utf-8", nil, []byte("<title>Shared</title>"))
	f := loopbackFetcher(enrich.FetcherOpts{})
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			got, err := f.Fetch(t.Context(), fmt.Sprintf("%s/%d", srv.URL, i))
			if err == nil && got.Title != "Shared" {
				err = fmt.Errorf("title %q", got.Title)
			}
			errs <- err
		}()
	}
	for range 16 {
		require.NoError(t, <-errs)
	}
	f.CloseIdleConnections()
}

func TestFetch_CapsDecompressedBody(t *testing.T) {
	t.Parallel()
	// 8 MiB of HTML compressed to a few KB: the cap applies to what is
	// decompressed, so a compression bomb cannot exhaust memory.
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	_, err := io.WriteString(zw, "<title>Bomb</title>"+strings.Repeat(" ", 8<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(compressed.Bytes())
	}))

	got, err := loopbackFetcher(enrich.FetcherOpts{MaxBodyBytes: 64 << 10}).Fetch(t.Context(), srv.URL)
	require.NoError(t, err)
	assert.True(t, got.Truncated)
	assert.Equal(t, int64(64<<10), got.Size)
	assert.Equal(t, "Bomb", got.Title)
}

func TestFetch_ErrorMessagesNameTheCause(t *testing.T) {
	t.Parallel()
	srv := serve(t, http.RedirectHandler("http://169.254.169.254/latest/meta-data/", http.StatusFound))
	_, err := loopbackFetcher(enrich.FetcherOpts{}).Fetch(t.Context(), srv.URL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "169.254.169.254")
	assert.Contains(t, err.Error(), "blocked address")
}
