package item

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads every entry of a file with r.
func readAll(t *testing.T, r entryReader) []Entry {
	t.Helper()
	var out []Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, e)
		require.Less(t, len(out), 1_000_000, "the reader does not end")
	}
}

func readFile(t *testing.T, name string) []Entry {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return readAll(t, newNetscapeReader(f))
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func TestNetscapeReader_ChromeExport(t *testing.T) {
	t.Parallel()
	got := readFile(t, "chrome.html")
	want := []Entry{
		{Line: 11, URL: "https://go.dev/", Title: "The Go Programming Language", Folders: []string{"Bookmarks bar"}, CreatedAt: unix(1700000100)},
		{Line: 14, URL: "https://example.com/caf%C3%A9?a=1&b=2", Title: "Café & Crème — 日本語 <3", Folders: []string{"Bookmarks bar", "Reading"}, CreatedAt: unix(1700000250)},
		{Line: 17, URL: "https://www.postgresql.org/docs/", Title: "PostgreSQL: Documentation", Folders: []string{"Bookmarks bar", "Reading", "Deep"}, CreatedAt: unix(1700000280)},
		{Line: 20, URL: "chrome://settings/", Title: "Settings", Folders: []string{"Bookmarks bar"}, CreatedAt: unix(1700000290)},
		// Chromium's own clock: microseconds since 1601.
		{Line: 24, URL: "https://news.ycombinator.com/", Title: "Hacker News", Folders: []string{"Other bookmarks"}, CreatedAt: unix(1705526400)},
	}
	assert.Equal(t, want, got)
}

func TestNetscapeReader_FirefoxExport(t *testing.T) {
	t.Parallel()
	got := readFile(t, "firefox.html")
	require.Len(t, got, 5)
	assert.Equal(t, Entry{Line: 14, URL: "https://support.mozilla.org/products/firefox", Title: "Get Help", Folders: []string{"Mozilla Firefox"},
		CreatedAt: unix(1690000001), UpdatedAt: unix(1690000002)}, got[0])
	assert.Equal(t, "place:parent=menu________&queryType=1&sort=14&maxResults=10", got[1].URL)
	assert.Empty(t, got[1].Folders, "a top-level bookmark has no folder")
	assert.Equal(t, Entry{Line: 17, URL: "https://www.rust-lang.org/", Title: "Rust Programming Language",
		Description: "A language empowering everyone\nto build reliable software.\n    ", Tags: []string{"lang", "Systems"},
		CreatedAt: unix(1690000100), UpdatedAt: unix(1690000200)}, got[2], "TAGS and a multi-line <DD>; SHORTCUTURL ignored")
	assert.Equal(t, []string{"Bookmarks Toolbar"}, got[3].Folders)
	assert.Equal(t, "Firefox — Ünïcödé", got[4].Title)
	assert.Equal(t, 23, got[4].Line)
}

func TestNetscapeReader_SafariExport(t *testing.T) {
	t.Parallel()
	got := readFile(t, "safari.html")
	require.Len(t, got, 3)
	assert.Equal(t, []string{"Favorites"}, got[0].Folders)
	assert.Equal(t, "Zürich – Wikipedia", got[1].Title)
	assert.Equal(t, []string{"Reading List"}, got[2].Folders)
	assert.Equal(t, "News from the WebKit team", strings.TrimSpace(got[2].Description))
	assert.True(t, got[0].CreatedAt.IsZero(), "Safari writes no dates")
}

func TestNetscapeReader_BrokenMarkupGivesPerEntryProblems(t *testing.T) {
	t.Parallel()
	file := "<DL><p>\n" +
		`<DT><A HREF="https://a.example/">Unclosed` + "\n" +
		`<DT><A HREF="https://b.example/">Fine</A>` + "\n" +
		`<DT><A ADD_DATE="1">No href</A>` + "\n" +
		"</A></DL></DL></DL>\n" + // stray end tags
		`<DT><A HREF="https://c.example/">After the strays</A>` + "\n" +
		`<DT><A HREF="https://d.example/">Runs to the end`
	got := readAll(t, newNetscapeReader(strings.NewReader(file)))
	require.Len(t, got, 5)
	assert.Equal(t, "the <A> element has no end tag", got[0].Problem)
	assert.Equal(t, 2, got[0].Line)
	assert.Empty(t, got[1].Problem)
	assert.Equal(t, "the <A> element has no HREF", got[2].Problem)
	assert.Equal(t, "After the strays", got[3].Title)
	assert.Empty(t, got[3].Problem)
	assert.Equal(t, "the file ends inside an <A> element", got[4].Problem)
	assert.Equal(t, 7, got[4].Line)
}

func TestNetscapeReader_DeepNestingIsBoundedAndReported(t *testing.T) {
	t.Parallel()
	const depth = 10_000
	var b strings.Builder
	for i := 0; i < depth; i++ {
		b.WriteString("<DT><H3>f</H3>\n<DL><p>\n")
	}
	b.WriteString(`<DT><A HREF="https://deep.example/">Deep</A>` + "\n")
	for i := 0; i < depth; i++ {
		b.WriteString("</DL><p>\n")
	}
	b.WriteString(`<DT><A HREF="https://shallow.example/">Shallow</A>` + "\n")
	r := newNetscapeReader(strings.NewReader(b.String()))
	got := readAll(t, r)
	require.Len(t, got, 2)
	assert.Contains(t, got[0].Problem, "more than 32 nested folders")
	assert.LessOrEqual(t, len(r.folders), MaxImportDepth, "the folder stack stays bounded")
	assert.Equal(t, 2*depth+1, got[0].Line)
	assert.Empty(t, got[1].Problem)
	assert.Empty(t, got[1].Folders, "the nesting is unwound")
}

func TestNetscapeReader_OverlongTokenIsSkippedAndReadingGoesOn(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", maxTokenBytes+10)
	file := "<DL><p>\n" +
		`<DT><A HREF="https://before.example/">Before</A>` + "\n" +
		`<DT><A HREF="https://huge.example/` + huge + `">Huge</A>` + "\n" +
		`<DT><A HREF="https://after.example/">After</A>` + "\n</DL>\n"
	got := readAll(t, newNetscapeReader(strings.NewReader(file)))
	var urls []string
	for _, e := range got {
		if e.Problem == "" {
			urls = append(urls, e.URL)
		}
	}
	assert.Equal(t, []string{"https://before.example/", "https://after.example/"}, urls)
	var problems []Entry
	for _, e := range got {
		if e.Problem != "" {
			problems = append(problems, e)
		}
	}
	require.NotEmpty(t, problems)
	assert.Contains(t, problems[0].Problem, "longer than")
	assert.Equal(t, 3, problems[0].Line)
	assert.Equal(t, 4, got[len(got)-1].Line, "lines are still counted right after the skip")
}

func TestNetscapeReader_RawTextElementsDoNotSwallowTheFile(t *testing.T) {
	t.Parallel()
	file := "<TITLE>Bookmarks\n<PLAINTEXT><SCRIPT>\n<DL><p><DT><A HREF=\"https://x.example/\">X</A></DL>"
	got := readAll(t, newNetscapeReader(strings.NewReader(file)))
	require.Len(t, got, 1)
	assert.Equal(t, "https://x.example/", got[0].URL)
}

func TestUnixTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Time{
		"1700000000":       unix(1700000000),
		"1700000000123":    time.UnixMilli(1700000000123).UTC(),
		"1700000000123456": time.UnixMicro(1700000000123456).UTC(),
		"":                 {},
		"-5":               {},
		"soon":             {},
		"99999999999":      unix(99999999999),
		"999999999999":     {},
	} {
		assert.Equal(t, want, unixTime(in), in)
	}
}

func TestSniffFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Format{
		"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL>":     FormatNetscape,
		"\xef\xbb\xbf\n  {\"format\":\"atlas-export\"}": FormatJSON,
		"[{\"title\":\"x\"}]":                           FormatJSON,
		"<dl><dt><a href=x>y</a>":                       FormatNetscape,
		"":                                              "",
		"url,title\nhttps://x,y":                        "",
	} {
		got, ok := sniffFormat([]byte(in))
		assert.Equal(t, want, got, in)
		assert.Equal(t, want != "", ok, in)
	}
}
