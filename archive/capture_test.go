package archive_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/enrich"
)

// testCapture is a capture configuration for tests: loopback allowed (an
// explicit test-only setting, so that the httptest servers can be reached),
// "private.test" resolving to a private address, small limits.
func testCapture(total int64, budget time.Duration) archive.CaptureOpts {
	return archive.CaptureOpts{
		Fetch: enrich.FetcherOpts{AllowLoopback: true, ConnectTimeout: time.Second,
			ResolveFunc: func(_ context.Context, host string) ([]netip.Addr, error) {
				if host == "private.test" {
					return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
				}
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}},
		MaxBytesPerItem: total, MaxResourceBytes: total / 2, TimeBudget: budget,
	}
}

func failure(t *testing.T, err error) *archive.Failure {
	t.Helper()
	var f *archive.Failure
	require.ErrorAs(t, err, &f)
	require.NotEmpty(t, f.Reason)
	return f
}

// A 1x1 PNG.
var pngPixel = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestCapture_InlinesResourcesAndMakesTheCopyInert(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/img.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngPixel)
	})
	mux.HandleFunc("/style.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		_, _ = w.Write([]byte(`body { background: url(/img.png); color: #123456 }`))
	})
	var scriptFetched atomic.Bool
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, _ *http.Request) {
		scriptFetched.Store(true)
		_, _ = w.Write([]byte(`document.title = "pwned"`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>Kept</title>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<link rel="stylesheet" href="/style.css">
<script src="/app.js"></script><script>document.title = "pwned"</script>
</head><body onload="alert(1)">
<article><h1>A readable article</h1><p>` + strings.Repeat("Some paragraph text that readability keeps. ", 40) + `</p>
<img src="/img.png" onerror="alert(2)" alt="pixel">
<a href="javascript:alert(3)">js link</a> <a href="https://example.com/ok">ok link</a>
<a href="JaVa&#x09;script:alert(4)">obfuscated</a>
<svg><script>alert(5)</script><a xlink:href="javascript:alert(6)"><text>svg</text></a><set attributeName="href" to="javascript:alert(7)"/></svg>
<iframe src="https://elsewhere.example/"></iframe><object data="/x.swf"></object>
<form action="javascript:alert(8)"><button formaction="javascript:alert(9)">go</button></form>
<div onclick="alert(10)" style="color: red">div</div></article></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c := archive.NewCapturer(testCapture(4<<20, 10*time.Second))
	got, err := c.Capture(context.Background(), srv.URL+"/")
	require.NoError(t, err)
	copyHTML := strings.ToLower(string(got.HTML))

	require.Contains(t, copyHTML, "<title>kept</title>")
	require.Contains(t, copyHTML, "data:image/png;base64,", "the image is inlined")
	require.Contains(t, copyHTML, "#123456", "the style sheet is inlined")
	require.NotContains(t, copyHTML, `href="/style.css"`)
	for _, bad := range []string{"<script", "pwned", "alert(", "javascript", "onload", "onerror", "onclick", "http-equiv=\"refresh\"",
		"<iframe", "<object", "elsewhere.example", "evil.example", "<set", "formaction"} {
		require.NotContains(t, copyHTML, bad, "the copy still has %q", bad)
	}
	require.Contains(t, copyHTML, `https://example.com/ok`, "ordinary links stay")
	require.Contains(t, copyHTML, `content-security-policy`, "the copy carries its own policy")
	require.False(t, scriptFetched.Load(), "scripts are not even downloaded")

	readable := string(got.Readable)
	require.Contains(t, readable, "Some paragraph text that readability keeps.")
	require.NotContains(t, strings.ToLower(readable), "<script")
	require.NotContains(t, strings.ToLower(readable), "onclick")
	require.NotContains(t, strings.ToLower(readable), "javascript:")
}

func TestCapture_PrivateAddressesInResourcesAreBlocked(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/style.css":
			w.Header().Set("Content-Type", "text/css")
			_, _ = w.Write([]byte(`body { background: url(http://private.test/from-css.png) }`))
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><link rel="stylesheet" href="/style.css"></head><body>
<img src="http://private.test/secret.png"><img src="http://169.254.169.254/latest/meta-data/">
<div style="background: url('http://10.0.0.1/inline.png')">x</div></body></html>`))
		}
	}))
	defer srv.Close()

	c := archive.NewCapturer(testCapture(4<<20, 10*time.Second))
	got, err := c.Capture(context.Background(), srv.URL+"/")
	require.NoError(t, err, "the page itself is archived")
	require.Equal(t, 4, got.Blocked, "both <img>, the CSS url() and the inline style url() are refused by the guard")
	require.NotContains(t, string(got.HTML), "data:image/png", "nothing was fetched from the private addresses")
}

func TestCapture_ThePageOnAPrivateAddressIsBlocked(t *testing.T) {
	t.Parallel()
	c := archive.NewCapturer(testCapture(4<<20, 5*time.Second))
	_, err := c.Capture(context.Background(), "http://private.test/page")
	require.Equal(t, archive.CodeBlocked, failure(t, err).Code)
}

func TestCapture_LargePageIsCutAtTheLimit(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>"))
		chunk := bytes.Repeat([]byte("<p>fifty megabytes of text</p>"), 1024)
		for sent.Load() < 50<<20 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(2<<20, 10*time.Second))
	_, err := c.Capture(context.Background(), srv.URL+"/")
	f := failure(t, err)
	require.Equal(t, archive.CodeTooLarge, f.Code)
	require.Contains(t, f.Reason, "larger than 1 MiB")
	require.Less(t, sent.Load(), int64(50<<20), "the download stopped at the limit, not at the end")
}

func TestCapture_EndlessStreamIsCutAtTheLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for r.Context().Err() == nil {
			if _, err := w.Write(bytes.Repeat([]byte("<p>more</p>"), 100)); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(1<<20, 10*time.Second))
	_, err := c.Capture(context.Background(), srv.URL+"/")
	require.Equal(t, archive.CodeTooLarge, failure(t, err).Code)
}

func TestCapture_SlowPageRunsOutOfTime(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // never finishes
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(1<<20, 300*time.Millisecond))
	_, err := c.Capture(context.Background(), srv.URL+"/")
	f := failure(t, err)
	require.Equal(t, archive.CodeTimeout, f.Code)
	require.Contains(t, f.Reason, "300ms")
}

func TestCapture_GzipBombIsCutAtTheLimit(t *testing.T) {
	t.Parallel()
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write([]byte("<html><body>"))
	zeros := make([]byte, 1<<20)
	for range 64 { // 64 MiB of HTML from about 64 KiB of gzip
		_, _ = zw.Write(zeros)
	}
	require.NoError(t, zw.Close())
	require.Less(t, bomb.Len(), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb.Bytes())
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(2<<20, 10*time.Second))
	_, err := c.Capture(context.Background(), srv.URL+"/")
	require.Equal(t, archive.CodeTooLarge, failure(t, err).Code)
}

func TestCapture_RedirectLoopFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := "/a"
		if r.URL.Path == "/a" {
			next = "/b"
		}
		http.Redirect(w, r, next, http.StatusFound)
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(1<<20, 10*time.Second))
	_, err := c.Capture(context.Background(), srv.URL+"/a")
	f := failure(t, err)
	require.Equal(t, archive.CodeUnavailable, f.Code)
	require.Contains(t, f.Reason, "redirect")
	require.False(t, f.Transient, "a loop does not go away by retrying")
}

func TestCapture_ContentTypeThatLies(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		contentType string
		body        []byte
		reason      string
	}{
		"an image sent as text/html":          {"text/html", pngPixel, "sent image/png"},
		"HTML with a script sent as an image": {"image/png", []byte("<html><script>alert(1)</script></html>"), "image/png, not HTML"},
		"a PDF":                               {"application/pdf", []byte("%PDF-1.4\n"), "application/pdf, not HTML"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				_, _ = w.Write(tc.body)
			}))
			defer srv.Close()
			c := archive.NewCapturer(testCapture(1<<20, 10*time.Second))
			_, err := c.Capture(context.Background(), srv.URL+"/")
			f := failure(t, err)
			require.Equal(t, archive.CodeNotHTML, f.Code)
			require.Contains(t, f.Reason, tc.reason)
		})
	}
}

func TestCapture_TooManyResourcesExceedTheItemLimit(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 300<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/img") {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(big)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		var b strings.Builder
		for i := range 10 {
			fmt.Fprintf(&b, `<img src="/img%d.png">`, i)
		}
		_, _ = w.Write([]byte("<html><body>" + b.String() + "</body></html>"))
	}))
	defer srv.Close()
	c := archive.NewCapturer(testCapture(1<<20, 10*time.Second))
	_, err := c.Capture(context.Background(), srv.URL+"/")
	f := failure(t, err)
	require.Equal(t, archive.CodeTooLarge, f.Code)
}
