package enrich_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
)

// articlePage is an HTML page with navigation and a footer around an article.
const articlePage = `<!doctype html><html lang="en"><head><title>Lighthouse keeping</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/shop">Shop</a></nav>
<article><h1>Lighthouse keeping</h1>
<p>The keeper trimmed the wick every evening and polished the great lens until it shone, because a
smudged lens could cost a ship its bearings on a winter night along the granite coast.</p>
<p>Fog signals were sounded by hand when the weather closed in, sometimes for days at a stretch,
and the log recorded every hour of it in a careful, patient handwriting.</p>
<p>Supplies came by boat once a month; in a storm the boat did not come, and the keeper's family
lived on salted fish, hard biscuits and rainwater collected from the roof.</p>
</article>
<footer>Copyright 2026 Example Press. All rights reserved. Cookie settings.</footer>
</body></html>`

func fetchText(t *testing.T, f *enrich.Fetcher, url string) enrich.Result {
	t.Helper()
	res, err := f.Fetch(context.Background(), url)
	require.NoError(t, err)
	return res
}

func TestFetch_HTMLPageTextIsTheArticleWithoutBoilerplate(t *testing.T) {
	t.Parallel()
	srv := servePage(t, "text/html; charset=utf-8", nil, []byte(articlePage))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL+"/keeping")

	require.Empty(t, res.Text.SkipReason)
	assert.Contains(t, res.Text.Text, "polished the great lens until it shone")
	assert.Contains(t, res.Text.Text, "salted fish, hard biscuits and rainwater")
	assert.NotContains(t, res.Text.Text, "Cookie settings", "the footer is boilerplate")
	assert.NotContains(t, res.Text.Text, "About us", "the navigation is boilerplate")
	assert.NotContains(t, res.Text.Text, "<p>", "the text is plain, not markup")
	assert.False(t, res.Text.Truncated)
	assert.Equal(t, "en", res.Language)
}

func TestFetch_PlainTextIsKeptAsIs(t *testing.T) {
	t.Parallel()
	body := "Release notes\r\n\r\n\r\n  Fixed   the\tflaky importer.\n"
	srv := servePage(t, "text/plain; charset=utf-8", nil, []byte(body))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL)
	assert.Equal(t, "Release notes\n\nFixed the flaky importer.", res.Text.Text)
}

func TestFetch_PDFTextLayerIsExtracted(t *testing.T) {
	t.Parallel()
	srv := servePage(t, "application/pdf", nil, minimalPDF("Quarterly tide tables for Harbour Point"))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL+"/tides.pdf")

	require.Empty(t, res.Text.SkipReason)
	assert.Equal(t, "application/pdf", res.ContentType)
	assert.Contains(t, res.Text.Text, "Quarterly tide tables for Harbour Point")
}

func TestFetch_BrokenPDFIsSkippedWithTheReason(t *testing.T) {
	t.Parallel()
	srv := servePage(t, "application/pdf", nil, []byte("%PDF-1.4\nthis is not really a PDF"))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL)
	assert.Empty(t, res.Text.Text)
	assert.Contains(t, res.Text.SkipReason, "the PDF could not be read")
}

func TestFetch_UnsupportedContentTypeIsSkippedWithTheReason(t *testing.T) {
	t.Parallel()
	srv := servePage(t, "image/png", nil, []byte("\x89PNG\r\n\x1a\n0000"))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL)
	assert.Empty(t, res.Text.Text)
	assert.Equal(t, "image/png is not a supported content type (HTML, plain text and PDF are)", res.Text.SkipReason)
}

func TestFetch_OversizedPageTextIsCappedAt512KiB(t *testing.T) {
	t.Parallel()
	// 1.5 MiB of article text (multi-byte characters included), under the 2 MiB body cap.
	var b strings.Builder
	b.WriteString(`<html><body><article>`)
	for i := 0; b.Len() < 1536<<10; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d about the Überlingen ferry, its timetable and its crew of four sailors.</p>\n", i)
	}
	b.WriteString(`</article></body></html>`)
	srv := servePage(t, "text/html; charset=utf-8", nil, []byte(b.String()))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{}), srv.URL)

	require.Empty(t, res.Text.SkipReason)
	assert.True(t, res.Text.Truncated)
	assert.False(t, res.Truncated, "the body itself was read whole")
	assert.LessOrEqual(t, len(res.Text.Text), enrich.MaxTextBytes)
	assert.Greater(t, len(res.Text.Text), enrich.MaxTextBytes-200, "the cap keeps as much as fits")
	assert.True(t, utf8.ValidString(res.Text.Text), "the cut falls on a character boundary")
	assert.Contains(t, res.Text.Text, "Paragraph 0 about the Überlingen ferry")
}

func TestFetch_PageCutAtTheBodyLimitIsMarkedTruncated(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("<p>A long line of text about harbour cranes and container ships.</p>\n", 1000)
	srv := servePage(t, "text/html", nil, []byte("<html><body><article>"+page))
	res := fetchText(t, loopbackFetcher(enrich.FetcherOpts{MaxBodyBytes: 16 << 10}), srv.URL)
	assert.True(t, res.Truncated)
	assert.True(t, res.Text.Truncated)
	assert.Contains(t, res.Text.Text, "harbour cranes")
}

// minimalPDF returns a one-page PDF whose text layer is text, with a correct cross-reference
// table (the parser reads it).
func minimalPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
