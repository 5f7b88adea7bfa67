package item

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// exportFormatName and exportVersion identify Atlas' JSON export.
const (
	exportFormatName = "atlas-export"
	exportVersion    = 1
)

// exportHeader is what an Atlas JSON export says before its items.
type exportHeader struct {
	Format     string           `json:"format"`
	Version    int              `json:"version"`
	ExportedAt time.Time        `json:"exported_at"`
	Collection exportCollection `json:"collection"`
}

type exportCollection struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
}

// exportItem is one item of an Atlas JSON export: every field an item has.
type exportItem struct {
	ID          uuid.UUID       `json:"id"`
	Title       string          `json:"title"`
	SourceURL   *string         `json:"source_url"`
	Description string          `json:"description"`
	Notes       string          `json:"notes"`
	Tags        []string        `json:"tags"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func exportItemOf(it Item) exportItem {
	return exportItem{ID: it.ID, Title: it.Title, SourceURL: it.SourceURL, Description: it.Description,
		Notes: it.Notes, Tags: it.Tags, Metadata: it.Metadata, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

// jsonReader streams the items of an Atlas JSON export (an object with an
// "items" array, or a bare array of items) one element at a time. An
// element of the wrong shape is a failed entry; a syntax error ends the
// file there, reported as one failed entry.
type jsonReader struct {
	lines   *newlineTracker
	dec     *json.Decoder
	started bool
	done    bool
}

func newJSONReader(r io.Reader) *jsonReader {
	t := &newlineTracker{r: bufio.NewReaderSize(r, 64<<10)}
	return &jsonReader{lines: t, dec: json.NewDecoder(t)}
}

// Next implements entryReader.
func (j *jsonReader) Next() (Entry, error) {
	if j.done {
		return Entry{}, io.EOF
	}
	if !j.started {
		j.started = true
		if err := j.seekItems(); err != nil {
			return j.fail(err)
		}
	}
	if !j.dec.More() {
		j.done = true
		return Entry{}, io.EOF
	}
	var raw exportItem
	err := j.dec.Decode(&raw)
	line := j.lines.lineAt(j.dec.InputOffset())
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
	case j.lines.err != nil && !errors.Is(j.lines.err, io.EOF):
		return j.fail(err)
	case errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return j.fail(err)
	case errors.As(err, &typeErr):
		// The decoder consumed the whole element: read on after it.
		return Entry{Line: line, Problem: fmt.Sprintf("field %q has the wrong type (%s)", typeErr.Field, typeErr.Value)}, nil
	default:
		return Entry{Line: line, Problem: "the item cannot be read: " + err.Error()}, nil
	}
	e := Entry{Line: line, Title: raw.Title, Description: raw.Description, Notes: raw.Notes, Tags: raw.Tags,
		Metadata: raw.Metadata, CreatedAt: raw.CreatedAt, UpdatedAt: raw.UpdatedAt}
	if raw.SourceURL != nil {
		e.URL = *raw.SourceURL
	}
	if e.Tags == nil {
		e.Tags = []string{}
	}
	return e, nil
}

// fail ends the file at a syntax error (or a read failure, which is not
// the file's fault and is returned).
func (j *jsonReader) fail(err error) (Entry, error) {
	j.done = true
	if j.lines.err != nil && !errors.Is(j.lines.err, io.EOF) {
		return Entry{}, fmt.Errorf("read import file: %w", j.lines.err)
	}
	off := j.dec.InputOffset()
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) && syntaxErr.Offset > off {
		off = syntaxErr.Offset
	}
	line := j.lines.lineAt(off)
	return Entry{Line: line, Problem: "the JSON is malformed here, so the rest of the file cannot be read: " + err.Error()}, nil
}

// seekItems moves the decoder into the items array.
func (j *jsonReader) seekItems() error {
	tok, err := j.dec.Token()
	if err != nil {
		return err
	}
	if tok == json.Delim('[') {
		return nil
	}
	if tok != json.Delim('{') {
		return errors.New("an Atlas export is a JSON object")
	}
	for j.dec.More() {
		key, err := j.dec.Token()
		if err != nil {
			return err
		}
		if key == "items" {
			tok, err := j.dec.Token()
			if err != nil {
				return err
			}
			if tok != json.Delim('[') {
				return errors.New(`"items" must be an array`)
			}
			return nil
		}
		var skip json.RawMessage
		if err := j.dec.Decode(&skip); err != nil {
			return err
		}
	}
	return errors.New(`the export has no "items" array`)
}

// newlineTracker reads through r remembering where the newlines are that
// a decoder has read but not yet passed, so that lineAt can turn the
// decoder's byte offsets (which only grow) into line numbers with memory
// bounded by the decoder's look-ahead.
type newlineTracker struct {
	r      *bufio.Reader
	read   int64   // bytes read so far
	queue  []int64 // offsets of newlines not yet passed
	passed int     // newlines before the last lineAt offset
	err    error
}

func (t *newlineTracker) Read(p []byte) (int, error) {
	k, err := t.r.Read(p)
	for i, b := range p[:k] {
		if b == '\n' {
			t.queue = append(t.queue, t.read+int64(i))
		}
	}
	t.read += int64(k)
	if err != nil && t.err == nil {
		t.err = err
	}
	return k, err
}

// lineAt is the 1-based line of byte offset off; offsets must not
// decrease from one call to the next.
func (t *newlineTracker) lineAt(off int64) int {
	i := 0
	for i < len(t.queue) && t.queue[i] < off {
		i++
	}
	t.passed += i
	t.queue = append(t.queue[:0], t.queue[i:]...)
	return t.passed + 1
}

// sniffFormat tells an import file's format from its first bytes: an
// Atlas JSON export starts with '{' or '['; a Netscape bookmark file with
// its doctype or, from less careful writers, with HTML markup.
func sniffFormat(head []byte) (Format, bool) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 {
		return "", false
	}
	if head[0] == '{' || head[0] == '[' {
		return FormatJSON, true
	}
	lower := bytes.ToLower(head)
	for _, marker := range []string{"<!doctype netscape-bookmark-file", "<dl", "<dt", "<h1", "<a ", "<title"} {
		if bytes.Contains(lower, []byte(marker)) {
			return FormatNetscape, true
		}
	}
	return "", false
}
