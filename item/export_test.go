package item_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
)

// export writes the fixture's collection in a format.
func (f importFixture) export(t *testing.T, format item.Format) (string, *item.Export) {
	t.Helper()
	exp, err := f.env.Items.OpenExport(context.Background(), f.owner.ID, f.collection, format)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, exp.WriteTo(context.Background(), &buf))
	return buf.String(), exp
}

// seed fills the fixture's collection with items using every field.
func (f importFixture) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "Go memory model", SourceURL: "https://go.dev/ref/mem",
		Description: "Happens-before,\nexplained", Notes: "Read twice <b>really</b> & \"quote\"", Tags: []string{"go", "concurrency"}})
	it := f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "Zürich — 日本語", SourceURL: "https://example.com/z%C3%BCrich?x=1&y=2"})
	_, err := f.env.Items.SetMetadata(ctx, it.ID, json.RawMessage(`{"title":"Zürich","size":12,"nested":{"a":[1,2]}}`))
	require.NoError(t, err)
	f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "A note without a link", Notes: "just text", Tags: []string{"notes"}})
}

func TestExport_JSONRoundTripReproducesEveryField(t *testing.T) {
	t.Parallel()
	src := setupImport(t)
	src.seed(t)
	file, exp := src.export(t, item.FormatJSON)
	assert.Regexp(t, `^atlas-collection-[a-z0-9]+-\d{4}-\d{2}-\d{2}\.json$`, exp.Filename())
	assert.Equal(t, "application/json", exp.ContentType())
	var doc struct {
		Format string            `json:"format"`
		Items  []json.RawMessage `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(file), &doc), "the export is one JSON document")
	assert.Equal(t, "atlas-export", doc.Format)
	require.Len(t, doc.Items, 3)

	dst := setupImport(t)
	imp := dst.importFile(t, file, "")
	assert.Equal(t, item.FormatJSON, imp.Format)
	assert.Equal(t, []int{3, 3, 0, 0}, []int{imp.Total, imp.Created, imp.Skipped, imp.Failed})
	want, got := src.items(t), dst.items(t)
	require.Len(t, got, len(want))
	for key, w := range want {
		g, ok := got[key]
		require.True(t, ok, "missing %s", key)
		assert.Equal(t, w.Title, g.Title)
		assert.Equal(t, w.SourceURL, g.SourceURL)
		assert.Equal(t, w.Description, g.Description)
		assert.Equal(t, w.Notes, g.Notes)
		assert.Equal(t, w.Tags, g.Tags)
		assert.JSONEq(t, string(w.Metadata), string(g.Metadata))
		assert.Equal(t, w.CreatedAt, g.CreatedAt, key)
		assert.Equal(t, w.UpdatedAt, g.UpdatedAt, key)
	}
}

func TestExport_NetscapeRoundTripKeepsLinksTagsAndDates(t *testing.T) {
	t.Parallel()
	src := setupImport(t)
	src.seed(t)
	file, exp := src.export(t, item.FormatNetscape)
	assert.Equal(t, "text/html; charset=utf-8", exp.ContentType())
	assert.True(t, strings.HasPrefix(file, "<!DOCTYPE NETSCAPE-Bookmark-file-1>"))
	assert.Contains(t, file, `TAGS="concurrency,go"`)

	dst := setupImport(t)
	imp := dst.importFile(t, file, "")
	assert.Equal(t, 2, imp.Created, "a note without a link is not in a bookmark file")
	want, got := src.items(t), dst.items(t)
	for _, key := range []string{"https://go.dev/ref/mem", "https://example.com/z%C3%BCrich?x=1&y=2"} {
		w, g := want[key], got[key]
		assert.Equal(t, w.Title, g.Title)
		assert.Equal(t, w.Description, g.Description)
		assert.Equal(t, w.Tags, g.Tags)
		assert.Equal(t, w.CreatedAt.Truncate(time.Second), g.CreatedAt, "the format has whole seconds")
	}
}

func TestExport_NonMemberGetsNotFoundAndFormatIsChecked(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	_, err := f.env.Items.OpenExport(context.Background(), f.env.NewUser(t).ID, f.collection, item.FormatJSON)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = f.env.Items.OpenExport(context.Background(), f.owner.ID, f.collection, "csv")
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestImport_JSONWithBadItemsReportsThemAndStopsAtASyntaxError(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	file := `{"format":"atlas-export","version":1,"items":[
{"title":"A","source_url":"https://a.example/","tags":["x"]},
{"title":5},
{"title":"nul \u0000","source_url":"https://nul.example/"},
{"title":"meta","metadata":[1]},
{"title":"B","source_url":"https://b.example/"},
{"title":"C" "oops"},
{"title":"never read"}]}`
	imp := f.importFile(t, file, "")
	assert.Equal(t, item.ImportSucceeded, imp.Status)
	assert.Equal(t, []int{6, 2, 4}, []int{imp.Total, imp.Created, imp.Failed})
	reasons := map[int]string{}
	for _, e := range imp.Report {
		reasons[e.Line] = e.Reason
	}
	assert.Equal(t, `field "title" has the wrong type (number)`, reasons[3])
	assert.Equal(t, "the title contains a NUL character", reasons[4])
	assert.Equal(t, "metadata must be a JSON object", reasons[5])
	assert.Contains(t, reasons[7], "the JSON is malformed here")
	assert.Len(t, f.items(t), 2)
}
