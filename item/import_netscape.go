package item

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits of the import readers.
const (
	// MaxImportDepth is how many folders deep a bookmark may sit; deeper
	// ones are reported as failed (hostile files nest thousands deep).
	MaxImportDepth = 32
	// maxTokenBytes caps one markup token (a tag with its attributes, or a
	// run of text). A longer one is reported and skipped, so a hostile file
	// cannot make the reader hold more than this at once.
	maxTokenBytes = 4 << 20
)

// Entry is one bookmark as an import file states it, before Atlas' rules
// are applied (see importItem). Problem, when set, says why the entry
// cannot be imported at all (broken markup).
type Entry struct {
	// Line is the 1-based line of the file the entry starts on.
	Line        int
	URL         string
	Title       string
	Description string
	Notes       string
	// Folders are the names of the folders holding the bookmark, outermost
	// first; Tags are the entry's own tags.
	Folders []string
	Tags    []string
	// Metadata is an Atlas export's metadata object (nil otherwise).
	Metadata  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
	Problem   string
}

// entryReader yields the entries of an import file in order; io.EOF ends
// it. Other errors are failures to read the stored file (the database),
// not problems of the file.
type entryReader interface {
	Next() (Entry, error)
}

// netscapeReader streams the Netscape bookmark file format (the
// NETSCAPE-Bookmark-file-1 HTML every browser exports) with the html
// tokenizer: memory is bounded by the folder stack and one token, whatever
// the file's size. Folders are <H3> headers followed by a <DL> list;
// bookmarks are <A> elements, optionally followed by a <DD> description.
type netscapeReader struct {
	src *lineCounter
	z   *html.Tokenizer
	// line is the line the current token starts on; base the line count at
	// the point where the current tokenizer started.
	line, nextLine int

	folders    []string // names of the open folders (up to MaxImportDepth)
	depth      int      // how many <DL> lists are open
	folderName *string  // an <H3> seen, waiting for its <DL>
	inH3       bool
	h3         strings.Builder

	open    *Entry // an <A> whose end tag has not come yet
	title   strings.Builder
	held    *Entry // a finished <A>, waiting for a possible <DD>
	inDD    bool
	dd      strings.Builder
	pending []Entry
	done    bool
}

func newNetscapeReader(r io.Reader) *netscapeReader {
	src := &lineCounter{r: bufio.NewReaderSize(r, 64<<10)}
	n := &netscapeReader{src: src, nextLine: 1}
	n.reset()
	return n
}

func (n *netscapeReader) reset() {
	n.z = html.NewTokenizer(n.src)
	n.z.SetMaxBuf(maxTokenBytes)
}

// Next implements entryReader.
func (n *netscapeReader) Next() (Entry, error) {
	for len(n.pending) == 0 {
		if n.done {
			return Entry{}, io.EOF
		}
		if err := n.step(); err != nil {
			return Entry{}, err
		}
	}
	e := n.pending[0]
	n.pending = n.pending[1:]
	return e, nil
}

// step reads one token.
func (n *netscapeReader) step() error {
	tt := n.z.Next()
	n.line = n.nextLine
	n.nextLine += bytes.Count(n.z.Raw(), []byte{'\n'})
	switch tt {
	case html.ErrorToken:
		return n.tokenError()
	case html.TextToken:
		text := string(n.z.Text())
		switch {
		case n.open != nil:
			n.title.WriteString(text)
		case n.inH3:
			n.h3.WriteString(text)
		case n.inDD:
			n.dd.WriteString(text)
		}
	case html.StartTagToken, html.SelfClosingTagToken:
		n.z.NextIsNotRawText() // <title>, <textarea>, <plaintext>... are plain markup here
		name, hasAttr := n.z.TagName()
		n.startTag(atom.Lookup(name), hasAttr)
	case html.EndTagToken:
		name, _ := n.z.TagName()
		n.endTag(atom.Lookup(name))
	}
	return nil
}

func (n *netscapeReader) startTag(a atom.Atom, hasAttr bool) {
	switch a {
	case atom.A:
		n.closeOpen("the <A> element has no end tag")
		n.flushHeld()
		n.endH3()
		n.folderName = nil // a folder header not followed by its list names nothing
		e := Entry{Line: n.line, Folders: n.folderPath()}
		if n.depth > MaxImportDepth {
			e.Problem = fmt.Sprintf("the bookmark is inside more than %d nested folders", MaxImportDepth)
		}
		n.readLinkAttrs(&e, hasAttr)
		n.open = &e
		n.title.Reset()
	case atom.H3:
		n.closeOpen("the <A> element has no end tag")
		n.flushHeld()
		n.inH3 = true
		n.h3.Reset()
	case atom.Dd:
		n.closeOpen("the <A> element has no end tag")
		if n.held != nil {
			n.inDD = true
			n.dd.Reset()
		}
	case atom.Dl:
		n.closeOpen("the <A> element has no end tag")
		n.flushHeld()
		n.endH3()
		var name string
		if n.folderName != nil {
			name = *n.folderName
		}
		n.folderName = nil
		n.depth++
		if n.depth <= MaxImportDepth {
			n.folders = append(n.folders, name)
		}
	case atom.Dt, atom.H1, atom.Hr:
		n.closeOpen("the <A> element has no end tag")
		n.flushHeld()
	}
}

func (n *netscapeReader) endTag(a atom.Atom) {
	switch a {
	case atom.A:
		if n.open != nil {
			n.open.Title = n.title.String()
			n.held, n.open = n.open, nil
		}
	case atom.H3:
		n.endH3()
	case atom.Dl:
		n.closeOpen("the <A> element has no end tag")
		n.flushHeld()
		if n.depth > 0 {
			if n.depth <= MaxImportDepth {
				n.folders = n.folders[:len(n.folders)-1]
			}
			n.depth--
		}
	}
}

func (n *netscapeReader) endH3() {
	if n.inH3 {
		name := strings.TrimSpace(n.h3.String())
		n.folderName = &name
		n.inH3 = false
	}
}

// folderPath copies the names of the open folders, leaving out unnamed
// ones (the file's outermost list).
func (n *netscapeReader) folderPath() []string {
	var out []string
	for _, f := range n.folders {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// readLinkAttrs takes what Atlas keeps from an <A>'s attributes; ICON,
// SHORTCUTURL and the rest are ignored.
func (n *netscapeReader) readLinkAttrs(e *Entry, more bool) {
	seenHref := false
	for more {
		var k, v []byte
		k, v, more = n.z.TagAttr()
		switch string(k) { // the tokenizer lower-cases attribute names
		case "href":
			e.URL, seenHref = string(v), true
		case "add_date":
			e.CreatedAt = unixTime(string(v))
		case "last_modified":
			e.UpdatedAt = unixTime(string(v))
		case "tags":
			e.Tags = strings.Split(string(v), ",")
		}
	}
	if !seenHref && e.Problem == "" {
		e.Problem = "the <A> element has no HREF"
	}
}

// closeOpen ends an <A> whose end tag is missing: what it collected is
// reported with the reason rather than imported with a runaway title.
func (n *netscapeReader) closeOpen(reason string) {
	if n.open == nil {
		return
	}
	e := *n.open
	e.Title = n.title.String()
	if e.Problem == "" {
		e.Problem = reason
	}
	n.open = nil
	n.pending = append(n.pending, e)
}

// flushHeld emits the last finished bookmark with its description.
func (n *netscapeReader) flushHeld() {
	if n.held == nil {
		return
	}
	if n.inDD {
		n.held.Description = n.dd.String()
	}
	n.inDD = false
	n.pending = append(n.pending, *n.held)
	n.held = nil
}

// tokenError handles the end of the input or a token past maxTokenBytes,
// which is reported and skipped up to the next '>' before reading on.
func (n *netscapeReader) tokenError() error {
	err := n.z.Err()
	if errors.Is(err, io.EOF) {
		n.closeOpen("the file ends inside an <A> element")
		n.flushHeld()
		n.done = true
		return nil
	}
	if !errors.Is(err, html.ErrBufferExceeded) {
		if n.src.err != nil && !errors.Is(n.src.err, io.EOF) {
			return fmt.Errorf("read import file: %w", n.src.err)
		}
		return fmt.Errorf("read import file: %w", err)
	}
	reason := fmt.Sprintf("a tag or text is longer than %d bytes", maxTokenBytes)
	if n.open != nil {
		n.closeOpen(reason)
	} else {
		n.flushHeld()
		n.pending = append(n.pending, Entry{Line: n.line, Problem: reason})
	}
	if err := n.src.skipPast('>'); err != nil {
		if errors.Is(err, io.EOF) {
			n.done = true
			return nil
		}
		return fmt.Errorf("read import file: %w", err)
	}
	n.nextLine = n.src.lines + 1
	n.reset()
	return nil
}

// unixTime reads ADD_DATE / LAST_MODIFIED: Unix seconds as browsers write
// them, or milliseconds / microseconds as some tools do. Anything else is
// the zero time (unknown).
func unixTime(s string) time.Time {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}
	}
	switch {
	case v > 1e15: // microseconds, since 1970 or (Chromium's own clock) since 1601
		t := time.UnixMicro(v).UTC()
		if t.Year() > 2200 {
			t = time.UnixMicro(v - webkitEpochOffsetMicros).UTC()
		}
		return t
	case v > 1e12: // milliseconds
		return time.UnixMilli(v).UTC()
	case v > 1e11: // beyond year 5000 in seconds: nonsense
		return time.Time{}
	}
	return time.Unix(v, 0).UTC()
}

// webkitEpochOffsetMicros is how much earlier Chromium's time zero (1601-01-01)
// is than Unix's.
const webkitEpochOffsetMicros = 11644473600 * 1_000_000

// lineCounter reads through r counting newlines and remembering the first
// read error.
type lineCounter struct {
	r     *bufio.Reader
	lines int
	err   error
}

func (l *lineCounter) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	l.lines += bytes.Count(p[:k], []byte{'\n'})
	if err != nil && l.err == nil {
		l.err = err
	}
	return k, err
}

// skipPast discards input up to and including the next b.
func (l *lineCounter) skipPast(b byte) error {
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return err
		}
		if c == '\n' {
			l.lines++
		}
		if c == b {
			return nil
		}
	}
}
