package archive_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/enrich"
)

// BenchmarkCapture_2MBPage30Resources archives a typical heavy page from a
// local server: 2 MB in all, an HTML page with 10 stylesheets, 15 images and 5
// fonts referenced from CSS (the target: ≤ 1.5 s a page on this
// machine). Run it through scripts/heavy:
//
//	scripts/heavy go test -run '^$' -bench Capture_2MB -benchtime 10x ./archive/
func BenchmarkCapture_2MBPage30Resources(b *testing.B) {
	const resources, total = 30, 2 << 20
	chunk := total / (resources + 1)
	filler := strings.Repeat("x", chunk)
	mux := http.NewServeMux()
	var page strings.Builder
	page.WriteString("<html><head><title>Bench</title>")
	for i := range 10 {
		fmt.Fprintf(&page, `<link rel="stylesheet" href="/css%d.css">`, i)
		mux.HandleFunc(fmt.Sprintf("/css%d.css", i), func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprintf(w, "@font-face { font-family: f%d; src: url(/font%d.woff2) }\n/* %s */", i, i%5, filler[:chunk-80])
		})
	}
	for i := range 5 {
		mux.HandleFunc(fmt.Sprintf("/font%d.woff2", i), func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "font/woff2")
			_, _ = w.Write([]byte(filler))
		})
	}
	page.WriteString("</head><body><article>")
	for i := range 15 {
		fmt.Fprintf(&page, `<p>Paragraph %d of the article.</p><img src="/img%d.png">`, i, i)
		mux.HandleFunc(fmt.Sprintf("/img%d.png", i), func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(append([]byte("\x89PNG\r\n\x1a\n"), filler[:chunk-8]...))
		})
	}
	fmt.Fprintf(&page, "<p>%s</p></article></body></html>", filler)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page.String()))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := archive.NewCapturer(archive.CaptureOpts{Fetch: enrich.FetcherOpts{AllowLoopback: true},
		MaxBytesPerItem: 20 << 20, MaxResourceBytes: 5 << 20, TimeBudget: time.Minute})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got, err := c.Capture(context.Background(), srv.URL+"/")
		require.NoError(b, err)
		require.Zero(b, got.Skipped)
		b.SetBytes(int64(len(got.HTML)))
	}
}
