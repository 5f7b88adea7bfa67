package item

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
)

// importItem applies Atlas' item rules to an entry of an import file. It
// returns the item to store, or (Outcome set) the report line saying why
// the entry is skipped (not an http(s) link) or failed (anything else).
//
// The mapping: HREF → source_url; the link text → title (the URL when
// empty); <DD> → description; each enclosing folder's name and each TAGS
// value → a tag; ADD_DATE / LAST_MODIFIED → created / updated time (the
// import's time when absent). An Atlas JSON export maps field by field.
func importItem(imp Import, e Entry, now time.Time) (Item, ImportEntry) {
	fail := func(format string, args ...any) (Item, ImportEntry) {
		return Item{}, ImportEntry{Line: e.Line, Outcome: OutcomeFailed, URL: printable(e.URL, MaxURLLen),
			Title: printable(e.Title, MaxTitleLen), Reason: fmt.Sprintf(format, args...)}
	}
	if e.Problem != "" {
		return fail("%s", e.Problem)
	}
	fields := []struct{ name, value string }{{"URL", e.URL}, {"title", e.Title}, {"description", e.Description}, {"notes", e.Notes}}
	for _, f := range append(fields, tagFields(e)...) {
		if !utf8.ValidString(f.value) {
			return fail("the %s is not valid UTF-8", f.name)
		}
		if strings.ContainsRune(f.value, 0) {
			return fail("the %s contains a NUL character", f.name)
		}
	}
	it := Item{ID: uuid.Must(uuid.NewV7()), CollectionID: imp.CollectionID, CreatedBy: imp.CreatedBy, Version: 1,
		Metadata: json.RawMessage(`{}`)}
	raw := strings.TrimSpace(e.URL)
	switch {
	case raw == "" && imp.Format == FormatNetscape:
		return fail("the bookmark has an empty HREF")
	case raw != "":
		if scheme := urlScheme(raw); scheme != "http" && scheme != "https" {
			what := "no scheme"
			if scheme != "" {
				what = scheme + ":"
			}
			_, rep := fail("not an http(s) link (%s)", what)
			rep.Outcome = OutcomeSkipped
			return Item{}, rep
		}
		u, err := NormalizeURL(raw)
		if err != nil {
			return fail("%s", reasonOf(err))
		}
		it.SourceURL = u
	}
	title := strings.TrimSpace(e.Title)
	if title == "" && it.SourceURL != nil {
		title = truncateRunes(*it.SourceURL, MaxTitleLen)
	}
	var err error
	if it.Title, err = normalizeTitle(title); err != nil {
		return fail("%s", reasonOf(err))
	}
	if it.Description, err = checkLen("description", e.Description, MaxDescriptionLen); err != nil {
		return fail("%s", reasonOf(err))
	}
	if it.Notes, err = checkLen("notes", e.Notes, MaxNotesLen); err != nil {
		return fail("%s", reasonOf(err))
	}
	tags := make([]string, 0, len(e.Folders)+len(e.Tags))
	for _, f := range e.Folders {
		tags = append(tags, truncateRunes(strings.Join(strings.Fields(f), " "), MaxTagLen)) // a folder's name is not the bookmark's fault
	}
	if it.Tags, err = NormalizeTags(append(tags, e.Tags...)); err != nil {
		return fail("%s", reasonOf(err))
	}
	if len(e.Metadata) > 0 && !bytes.Equal(e.Metadata, []byte("null")) {
		if m := bytes.TrimSpace(e.Metadata); len(m) == 0 || m[0] != '{' {
			return fail("metadata must be a JSON object")
		}
		if bytes.Contains(e.Metadata, []byte(`\u0000`)) {
			return fail("the metadata contains a NUL character")
		}
		it.Metadata = json.RawMessage(bytes.Clone(e.Metadata))
	}
	it.CreatedAt = entryTime(e.CreatedAt, now)
	it.UpdatedAt = entryTime(e.UpdatedAt, it.CreatedAt)
	if it.UpdatedAt.Before(it.CreatedAt) {
		it.UpdatedAt = it.CreatedAt
	}
	return it, ImportEntry{}
}

func tagFields(e Entry) []struct{ name, value string } {
	out := make([]struct{ name, value string }, 0, len(e.Folders)+len(e.Tags))
	for _, f := range e.Folders {
		out = append(out, struct{ name, value string }{"folder name", f})
	}
	for _, t := range e.Tags {
		out = append(out, struct{ name, value string }{"tag", t})
	}
	return out
}

// urlScheme is the lower-cased scheme of a URL-ish string ("" if none).
func urlScheme(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		return strings.ToLower(u.Scheme)
	}
	if i := strings.IndexByte(raw, ':'); i > 0 && i < 32 {
		return strings.ToLower(raw[:i])
	}
	return ""
}

// reasonOf is the client-safe text of a rule error ("title: must be ...").
func reasonOf(err error) string {
	var ae *atlas.Error
	if errors.As(err, &ae) {
		if ae.Field != "" {
			return ae.Field + ": " + ae.Message
		}
		return ae.Message
	}
	return err.Error()
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// printable makes a report field safe to store: valid UTF-8 without NUL,
// at most n characters.
func printable(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	return truncateRunes(s, n)
}
