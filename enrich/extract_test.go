package enrich

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtractPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		html            string
		contentType     string
		contentLanguage string
		pageURL         string
		want            page
	}{
		{
			name:    "empty document",
			html:    "",
			pageURL: "https://example.com/a/b",
			want:    page{faviconURL: "https://example.com/favicon.ico", charset: "windows-1252"},
		},
		{
			name: "plain tags",
			html: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
				<title>  Plain
				   title </title>
				<meta name="Description" content="  A  page about
				 things. ">
				<link rel="canonical" href="/canon?x=1">
				<link rel="shortcut icon" href="static/fav.png">
				</head><body><h1>Hi</h1></body></html>`,
			pageURL: "https://example.com/a/b",
			want: page{
				title: "Plain title", description: "A page about things.",
				canonicalURL: "https://example.com/canon?x=1", faviconURL: "https://example.com/a/static/fav.png",
				language: "en-GB", charset: "utf-8",
			},
		},
		{
			name: "og preferred over twitter and plain",
			html: `<html><head><meta charset=utf-8><title>Plain</title>
				<meta name="description" content="plain desc">
				<meta name="twitter:title" content="Twitter title">
				<meta property="og:title" content="OG &amp; title">
				<meta property="og:description" content="OG desc">
				<meta name="twitter:description" content="Twitter desc">
				<meta property="og:url" content="https://canonical.example/page">
				<link rel="canonical" href="https://other.example/page">
				<meta property="og:site_name" content="Example Site">
				<meta name="twitter:image" content="https://img.example/tw.png">
				<meta property="og:image" content="//cdn.example/og.png">
				<meta property="og:locale" content="fr_FR">
				</head></html>`,
			pageURL: "http://example.com/",
			want: page{
				title: "OG & title", description: "OG desc", canonicalURL: "https://canonical.example/page",
				siteName: "Example Site", imageURL: "http://cdn.example/og.png",
				faviconURL: "http://example.com/favicon.ico", language: "fr-FR", charset: "utf-8",
			},
		},
		{
			name: "twitter fallback, og in name attribute",
			html: `<head><meta charset=utf-8><title>Plain</title>
				<meta name="twitter:title" content="Twitter title">
				<meta name="twitter:description" content="Twitter desc">
				<meta name="twitter:image:src" content="/tw.png">
				<meta name="og:site_name" content="Named OG">
				<meta property="og:title" content="   ">`,
			pageURL: "https://example.com/x/",
			want: page{
				title: "Twitter title", description: "Twitter desc", siteName: "Named OG",
				imageURL: "https://example.com/tw.png", faviconURL: "https://example.com/favicon.ico", charset: "utf-8",
			},
		},
		{
			name: "base href, first value wins, svg title ignored",
			html: `<html><head><meta charset=utf-8><base href="https://static.example/root/">
				<link rel="apple-touch-icon" href="touch.png">
				<link rel="icon" href="icon.svg"><link rel="icon" href="second.svg">
				</head><body><svg><title>Icon title</title></svg>
				<title>Real title</title><title>Second</title>
				<meta property="og:image" content="javascript:alert(1)">
				<meta name="twitter:image" content="img.png"></body></html>`,
			pageURL: "https://example.com/",
			want: page{
				title: "Real title", faviconURL: "https://static.example/root/icon.svg",
				imageURL: "https://static.example/root/img.png", charset: "utf-8",
			},
		},
		{
			name:            "language from header, then meta http-equiv",
			html:            `<html><head><meta charset=utf-8><meta http-equiv="Content-Language" content="de"><title>T</title>`,
			contentLanguage: "pt-BR, en",
			pageURL:         "https://example.com/",
			want:            page{title: "T", language: "pt-BR", faviconURL: "https://example.com/favicon.ico", charset: "utf-8"},
		},
		{
			name:    "language from meta http-equiv, invalid html lang skipped",
			html:    `<html lang="<script>"><head><meta charset=utf-8><meta http-equiv="content-language" content="de-AT">`,
			pageURL: "https://example.com/",
			want:    page{language: "de-AT", faviconURL: "https://example.com/favicon.ico", charset: "utf-8"},
		},
		{
			name:    "apple-touch-icon when no icon",
			html:    `<link rel="apple-touch-icon" href="/touch.png"><meta charset=utf-8>`,
			pageURL: "https://example.com/deep/page",
			want:    page{faviconURL: "https://example.com/touch.png", charset: "utf-8"},
		},
		{
			name:        "charset from Content-Type beats meta",
			html:        "<meta charset=shift_jis><title>caf\xe9</title>",
			contentType: "text/html; charset=ISO-8859-1",
			pageURL:     "https://example.com/",
			want:        page{title: "café", faviconURL: "https://example.com/favicon.ico", charset: "windows-1252"},
		},
		{
			name:    "undeclared UTF-8 beyond the first KiB",
			html:    "<html><head>" + strings.Repeat("<!-- padding -->", 100) + "<title>Crème brûlée</title>",
			pageURL: "https://example.com/",
			want:    page{title: "Crème brûlée", faviconURL: "https://example.com/favicon.ico", charset: "utf-8"},
		},
		{
			name:    "length caps and invalid URL dropped",
			html:    "<meta charset=utf-8><title>" + strings.Repeat("é", 400) + "</title><link rel=canonical href=\"https://example.com/" + strings.Repeat("a", 3000) + "\">",
			pageURL: "https://example.com/",
			want:    page{title: strings.Repeat("é", maxTitle), faviconURL: "https://example.com/favicon.ico", charset: "utf-8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.pageURL)
			require.NoError(t, err)
			got := extractPage([]byte(tt.html), tt.contentType, tt.contentLanguage, u)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b c", cleanText(" a\t\n b\u00a0\u2003c  ", 100))
	assert.Equal(t, "abc", cleanText("abcdef", 3))
	assert.Equal(t, "ab", cleanText("ab cd", 3), "no trailing space after a cut")
	assert.Equal(t, "日本", cleanText("日本語", 2))
	assert.Equal(t, "a\uFFFDb", cleanText("a\xffb", 10))
}

func TestTrimPartialRune(t *testing.T) {
	t.Parallel()
	s := []byte("ab日")
	assert.Equal(t, []byte("ab"), trimPartialRune(s[:len(s)-1]))
	assert.Equal(t, []byte("ab"), trimPartialRune(s[:len(s)-2]))
	assert.Equal(t, s, trimPartialRune(s))
	assert.Equal(t, []byte("abc"), trimPartialRune([]byte("abc")))
}

// realisticPage builds a ~100 KB article page: a head with the usual meta
// tags, scripts and styles, and a long body of paragraphs and links.
func realisticPage(size int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>How We Built a Search Engine in a Weekend | Example Engineering</title>
<meta name="description" content="A long story about inverted indexes, tokenizers and caffeine.">
<link rel="canonical" href="https://engineering.example.com/posts/search-weekend">
<link rel="icon" type="image/png" sizes="32x32" href="/static/favicon-32.png">
<link rel="stylesheet" href="/static/site.css">
<meta property="og:type" content="article">
<meta property="og:title" content="How We Built a Search Engine in a Weekend">
<meta property="og:description" content="Inverted indexes, tokenizers and caffeine.">
<meta property="og:url" content="https://engineering.example.com/posts/search-weekend">
<meta property="og:site_name" content="Example Engineering">
<meta property="og:image" content="https://cdn.example.com/img/search-weekend.png">
<meta name="twitter:card" content="summary_large_image">
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>
<style>body{font-family:system-ui;margin:0 auto;max-width:42rem}pre{overflow:auto}</style>
</head><body><header><nav><a href="/">Home</a> <a href="/posts">Posts</a> <a href="/about">About</a></nav></header>
<main><article>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<h2 id="s%d">Section %d</h2><p>Lorem ipsum dolor sit amet, <a href="/posts/%d">consectetur</a> adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation &amp; ullamco laboris.</p>
<pre><code>func f%d(x int) int { return x * %d }</code></pre><img src="/img/%d.png" alt="figure %d">
`, i, i, i, i, i, i, i)
	}
	b.WriteString(`</article></main><footer><p>&copy; Example</p></footer><script src="/static/app.js"></script></body></html>`)
	return []byte(b.String())
}

func BenchmarkExtractPage(b *testing.B) {
	body := realisticPage(100 << 10)
	u, err := url.Parse("https://engineering.example.com/posts/search-weekend?utm_source=x")
	require.NoError(b, err)
	want := extractPage(body, "text/html; charset=utf-8", "", u)
	require.Equal(b, "How We Built a Search Engine in a Weekend", want.title)
	require.Equal(b, "https://engineering.example.com/static/favicon-32.png", want.faviconURL)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		extractPage(body, "text/html; charset=utf-8", "", u)
	}
}
