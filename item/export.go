package item

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
)

// Export is a collection on its way out as a file: OpenExport checks the
// caller may read it, WriteTo streams it.
type Export struct {
	s          *Service
	format     Format
	collection collection.Collection
	at         time.Time
}

// OpenExport prepares the export of a collection (members) in a format
// (netscape or json).
func (s *Service) OpenExport(ctx context.Context, actor, collectionID uuid.UUID, format Format) (*Export, error) {
	if format != FormatNetscape && format != FormatJSON {
		return nil, atlas.Invalid("format", "must be netscape or json")
	}
	c, err := s.collections.Get(ctx, actor, collectionID)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &Export{s: s, format: format, collection: c, at: s.nowUTC()}, nil
}

var unsafeFilename = regexp.MustCompile(`[^a-z0-9]+`)

// Filename names the file: atlas-<collection>-<date>.html or .json.
func (e *Export) Filename() string {
	slug := strings.Trim(unsafeFilename.ReplaceAllString(strings.ToLower(e.collection.Name), "-"), "-")
	if slug == "" {
		slug = "collection"
	}
	ext := "html"
	if e.format == FormatJSON {
		ext = "json"
	}
	return fmt.Sprintf("atlas-%s-%s.%s", truncateRunes(slug, 60), e.at.Format("2006-01-02"), ext)
}

// ContentType is the file's media type.
func (e *Export) ContentType() string {
	if e.format == FormatJSON {
		return "application/json"
	}
	return "text/html; charset=utf-8"
}

const exportSQL = `SELECT ` + itemColumns + ` FROM items i WHERE i.collection_id = $1 ORDER BY i.created_at, i.id`

// WriteTo streams the collection's items to w, oldest first, one row at a
// time from the database: the whole collection is never in memory. The
// Netscape file holds the items that have a URL, each with its tags in
// TAGS; the JSON keeps every field of every item.
func (e *Export) WriteTo(ctx context.Context, out io.Writer) error {
	w := bufio.NewWriterSize(out, 64<<10)
	rows, err := e.s.pool.Query(ctx, exportSQL, e.collection.ID)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	write := e.netscapeItem
	if e.format == FormatJSON {
		write = e.jsonItem
	}
	if err := e.header(w); err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := write(w, it, n); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := e.footer(w); err != nil {
		return err
	}
	return w.Flush()
}

func (e *Export) header(w *bufio.Writer) error {
	if e.format == FormatJSON {
		head, err := json.Marshal(exportHeader{Format: exportFormatName, Version: exportVersion, ExportedAt: e.at,
			Collection: exportCollection{ID: e.collection.ID, Name: e.collection.Name, Description: e.collection.Description}})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		// The header object, reopened to add the items array.
		_, err = fmt.Fprintf(w, "%s,\"items\":[", head[:len(head)-1])
		return err
	}
	_, err := fmt.Fprintf(w, `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- Exported by Atlas. Import it into a browser or bookmarking service. -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>%s</H1>
<DL><p>
`, html.EscapeString(e.collection.Name))
	return err
}

func (e *Export) footer(w *bufio.Writer) error {
	end := "\n]}\n"
	if e.format == FormatNetscape {
		end = "</DL><p>\n"
	}
	_, err := w.WriteString(end)
	return err
}

// jsonItem writes one item per line.
func (e *Export) jsonItem(w *bufio.Writer, it Item, n int) error {
	b, err := json.Marshal(exportItemOf(it))
	if err != nil {
		return err
	}
	sep := []byte("\n")
	if n > 0 {
		sep = []byte(",\n")
	}
	if _, err := w.Write(sep); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (e *Export) netscapeItem(w *bufio.Writer, it Item, _ int) error {
	if it.SourceURL == nil {
		return nil // a note without a link has no place in a bookmark file
	}
	fmt.Fprintf(w, `    <DT><A HREF="%s" ADD_DATE="%d" LAST_MODIFIED="%d"`, html.EscapeString(*it.SourceURL),
		it.CreatedAt.Unix(), it.UpdatedAt.Unix())
	if len(it.Tags) > 0 {
		fmt.Fprintf(w, ` TAGS="%s"`, html.EscapeString(strings.Join(it.Tags, ",")))
	}
	fmt.Fprintf(w, ">%s</A>\n", html.EscapeString(it.Title))
	if it.Description != "" {
		fmt.Fprintf(w, "    <DD>%s\n", html.EscapeString(it.Description))
	}
	return nil // a bufio.Writer keeps its first error for Flush
}
