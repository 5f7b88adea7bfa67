package item_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// importFixture is the domain services on a fresh database, with an owner
// and a collection.
type importFixture struct {
	env        *testfactory.Env
	owner      testfactory.User
	collection uuid.UUID
}

func setupImport(t testing.TB, opts ...testfactory.Opts) importFixture {
	t.Helper()
	env := testfactory.New(t, opts...)
	owner := env.NewUser(t)
	return importFixture{env: env, owner: owner, collection: env.NewCollection(t, owner).ID}
}

// upload stores a file as an import of the fixture's collection.
func (f importFixture) upload(t *testing.T, file string, dup item.OnDuplicate) item.Import {
	t.Helper()
	imp, err := f.env.Items.CreateImport(context.Background(), f.owner.ID, f.collection,
		item.CreateImportParams{File: strings.NewReader(file), OnDuplicate: dup})
	require.NoError(t, err)
	require.Equal(t, item.ImportQueued, imp.Status)
	return imp
}

// run works an import to the end (what the IMPORT_BOOKMARKS job does) and
// returns it as its readers see it.
func (f importFixture) run(t *testing.T, imp item.Import, batch int) item.Import {
	t.Helper()
	_, err := f.env.Items.RunImport(context.Background(), imp.ID, item.RunImportOpts{BatchSize: batch})
	require.NoError(t, err)
	got, err := f.env.Items.GetImport(context.Background(), f.owner.ID, imp.ID)
	require.NoError(t, err)
	return got
}

func (f importFixture) importFile(t *testing.T, file string, dup item.OnDuplicate) item.Import {
	t.Helper()
	return f.run(t, f.upload(t, file, dup), 3)
}

// items lists the collection's items by URL.
func (f importFixture) items(t *testing.T) map[string]item.Item {
	t.Helper()
	out := map[string]item.Item{}
	after := ""
	for {
		page, next, err := f.env.Items.List(context.Background(), f.owner.ID, f.collection, item.ListParams{Page: cursor.Page{Limit: 100, After: after}})
		require.NoError(t, err)
		for _, it := range page {
			key := it.Title
			if it.SourceURL != nil {
				key = *it.SourceURL
			}
			_, dup := out[key]
			require.False(t, dup, "two items for %s", key)
			out[key] = it
		}
		if next == "" {
			return out
		}
		after = next
	}
}

// count runs a counting query.
func (f importFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.env.Pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// events counts the outbox's events of a type about the collection.
func (f importFixture) events(t *testing.T, typ events.Type) int {
	t.Helper()
	return len(f.env.Outbox(t, testfactory.OutboxFilter{CollectionID: &f.collection, Type: typ}))
}

func testFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func TestImport_ChromeExportBecomesItemsWithFolderTagsAndDates(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	imp := f.importFile(t, testFile(t, "chrome.html"), "")
	assert.Equal(t, item.ImportSucceeded, imp.Status)
	assert.Equal(t, item.FormatNetscape, imp.Format)
	assert.Equal(t, []int{5, 4, 0, 1, 0}, []int{imp.Total, imp.Created, imp.Updated, imp.Skipped, imp.Failed})
	assert.Equal(t, imp.SizeBytes, imp.BytesDone)
	require.NotNil(t, imp.StartedAt)
	require.NotNil(t, imp.FinishedAt)
	assert.Equal(t, []item.ImportEntry{{Line: 20, Outcome: item.OutcomeSkipped, URL: "chrome://settings/", Title: "Settings",
		Reason: "not an http(s) link (chrome:)"}}, imp.Report)

	items := f.items(t)
	require.Len(t, items, 4)
	goDev := items["https://go.dev/"]
	assert.Equal(t, "The Go Programming Language", goDev.Title)
	assert.Equal(t, []string{"bookmarks bar"}, goDev.Tags, "the toolbar folder is a folder like the others")
	assert.Equal(t, unix(1700000100), goDev.CreatedAt)
	assert.Equal(t, unix(1700000100), goDev.UpdatedAt, "no LAST_MODIFIED: changed when created")
	assert.Equal(t, &f.owner.ID, goDev.CreatedBy)
	cafe := items["https://example.com/caf%C3%A9?a=1&b=2"]
	assert.Equal(t, "Café & Crème — 日本語 <3", cafe.Title, "entities decoded, non-ASCII kept")
	assert.Equal(t, []string{"bookmarks bar", "reading"}, cafe.Tags)
	assert.Equal(t, []string{"bookmarks bar", "deep", "reading"}, items["https://www.postgresql.org/docs/"].Tags)

	// Every item has its ItemCreated in the outbox and its enrichment queued
	// on the bulk queue at the lowest priority; the result is in the
	// collection's activity.
	assert.Equal(t, 4, f.events(t, "ItemCreated"))
	assert.Equal(t, 4, f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'enrich_url' AND queue = 'bulk' AND priority = 4 AND args->>'collection_id' = $1`, f.collection.String()))
	assert.Equal(t, 1, f.events(t, "ImportFinished"))
	assert.Zero(t, f.count(t, `SELECT count(*) FROM import_chunks WHERE import_id = $1`, imp.ID), "the stored file is dropped at the end")
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'import_bookmarks' AND args->>'import_id' = $1`, imp.ID.String()))
}

func TestImport_FirefoxExportSkipsPlaceAndJavascriptLinksWithReasons(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	imp := f.importFile(t, testFile(t, "firefox.html"), "")
	assert.Equal(t, []int{5, 3, 0, 2, 0}, []int{imp.Total, imp.Created, imp.Updated, imp.Skipped, imp.Failed})
	require.Len(t, imp.Report, 2)
	assert.Equal(t, "not an http(s) link (place:)", imp.Report[0].Reason)
	assert.Equal(t, 16, imp.Report[0].Line)
	assert.Equal(t, "not an http(s) link (javascript:)", imp.Report[1].Reason)
	rust := f.items(t)["https://www.rust-lang.org/"]
	assert.Equal(t, []string{"lang", "systems"}, rust.Tags, "TAGS, lower-cased")
	assert.Equal(t, "A language empowering everyone\nto build reliable software.", rust.Description)
	assert.Equal(t, unix(1690000200), rust.UpdatedAt, "LAST_MODIFIED")
}

func TestImport_SafariExport(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	before := time.Now().UTC().Add(-time.Second)
	imp := f.importFile(t, testFile(t, "safari.html"), "")
	assert.Equal(t, 3, imp.Created)
	webkit := f.items(t)["https://webkit.org/blog/"]
	assert.Equal(t, []string{"reading list"}, webkit.Tags)
	assert.Equal(t, "News from the WebKit team", webkit.Description)
	assert.True(t, webkit.CreatedAt.After(before), "no ADD_DATE: the import's time")
}

func bookmarks(urls ...string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n")
	for i, u := range urls {
		fmt.Fprintf(&b, "<DT><A HREF=\"%s\" ADD_DATE=\"%d\">Title %d</A>\n", u, 1700000000+i, i)
	}
	b.WriteString("</DL><p>\n")
	return b.String()
}

func TestImport_DuplicatesInTheCollectionOrEarlierInTheFileAreSkipped(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "Mine", SourceURL: "https://have.example/"})
	// Batches of 3: the repeats fall both in the same batch and in later ones.
	imp := f.importFile(t, bookmarks("https://a.example/", "https://have.example/", "https://a.example/",
		"https://b.example/", "https://c.example/", "https://a.example/", "HTTPS://b.example/"), item.DuplicateSkip)
	assert.Equal(t, []int{7, 3, 0, 4, 0}, []int{imp.Total, imp.Created, imp.Updated, imp.Skipped, imp.Failed})
	reasons := map[int]string{}
	for _, e := range imp.Report {
		reasons[e.Line] = e.Reason
	}
	assert.Equal(t, map[int]string{4: "already in the collection", 5: "duplicate of the bookmark on line 3",
		8: "already in the collection", 9: "already in the collection"}, reasons)
	items := f.items(t)
	assert.Len(t, items, 4)
	assert.Equal(t, "Mine", items["https://have.example/"].Title, "left alone")
}

func TestImport_UpdateOverwritesExistingItems(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	mine := f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "Mine", SourceURL: "https://have.example/", Notes: "keep"})
	imp := f.importFile(t, bookmarks("https://have.example/", "https://new.example/", "https://new.example/"), item.DuplicateUpdate)
	assert.Equal(t, []int{3, 1, 2, 0, 0}, []int{imp.Total, imp.Created, imp.Updated, imp.Skipped, imp.Failed})
	items := f.items(t)
	have := items["https://have.example/"]
	assert.Equal(t, mine.ID, have.ID)
	assert.Equal(t, "Title 0", have.Title)
	assert.Equal(t, "keep", have.Notes, "a bookmark file has no notes to overwrite them with")
	assert.Equal(t, int64(2), have.Version)
	assert.Equal(t, "Title 2", items["https://new.example/"].Title, "the later line wins")
	assert.Equal(t, 1, f.events(t, "ItemUpdated"))

	again := f.importFile(t, bookmarks("https://have.example/"), item.DuplicateUpdate)
	assert.Equal(t, 1, again.Skipped, "nothing to change")
	assert.Equal(t, "already in the collection, unchanged", again.Report[0].Reason)
}

func TestImport_HostileEntriesAreReportedOneByOneAndTheRestImported(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	many := make([]string, item.MaxTags+1)
	for i := range many {
		many[i] = fmt.Sprintf("t%d", i)
	}
	file := "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n" +
		"<DT><A HREF=\"https://utf8.example/\">bad \xff\xfe title</A>\n" +
		"<DT><A HREF=\"https://long.example/\">" + strings.Repeat("é", item.MaxTitleLen+1) + "</A>\n" +
		"<DT><A HREF=\"https://" + strings.Repeat("u", item.MaxURLLen) + ".example/\">Long URL</A>\n" +
		"<DT><A HREF=\"https://tags.example/\" TAGS=\"" + strings.Join(many, ",") + "\">Tags</A>\n" +
		"<DT><A HREF=\"https://nul.example/\">nul &#0; here</A>\n" +
		"<DT><A HREF=\"data:text/html,hi\">data</A>\n" +
		"<DT><A HREF=\"file:///etc/passwd\">file</A>\n" +
		"<DT><A HREF=\"\">empty</A>\n" +
		"<DT><A HREF=\"https://unclosed.example/\">Unclosed\n" +
		"<DT><A HREF=\"https://ok.example/\"></A>\n" +
		"<DT><H3>" + strings.Repeat("f", 200) + "</H3>\n<DL><p>\n<DT><A HREF=\"https://folder.example/\">In a long folder</A>\n</DL><p>\n" +
		"</DL><p>\n"
	imp := f.importFile(t, file, "")
	assert.Equal(t, item.ImportSucceeded, imp.Status, "bad entries never fail the import")
	byLine := map[int]item.ImportEntry{}
	for _, e := range imp.Report {
		byLine[e.Line] = e
	}
	assert.Equal(t, "the title is not valid UTF-8", byLine[3].Reason)
	assert.Equal(t, "bad \ufffd title", byLine[3].Title, "the report itself is valid UTF-8")
	assert.Equal(t, "title: must be between 1 and 500 characters", byLine[4].Reason)
	assert.Equal(t, "source_url: must be at most 2048 characters", byLine[5].Reason)
	assert.Equal(t, "tags: an item can have at most 50 tags", byLine[6].Reason)
	assert.Equal(t, "not an http(s) link (data:)", byLine[8].Reason)
	assert.Equal(t, "not an http(s) link (file:)", byLine[9].Reason)
	assert.Equal(t, "the bookmark has an empty HREF", byLine[10].Reason)
	assert.Equal(t, "the <A> element has no end tag", byLine[11].Reason)
	for line, e := range byLine {
		want := item.OutcomeFailed
		if strings.HasPrefix(e.Reason, "not an http(s) link") {
			want = item.OutcomeSkipped
		}
		assert.Equal(t, want, e.Outcome, "line %d", line)
	}
	items := f.items(t)
	assert.Equal(t, "https://ok.example/", items["https://ok.example/"].Title, "an empty title becomes the URL")
	assert.Equal(t, "nul \ufffd here", items["https://nul.example/"].Title, "HTML turns a NUL reference into U+FFFD")
	assert.Equal(t, []string{strings.Repeat("f", item.MaxTagLen)}, items["https://folder.example/"].Tags, "a long folder name is cut to a tag")
	assert.Equal(t, imp.Total, imp.Created+imp.Skipped+imp.Failed)
	assert.Equal(t, len(items), imp.Created)
}

func TestImport_ResumesAfterACrashWithoutDuplicates(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	urls := make([]string, 23)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://site%d.example/", i)
	}
	imp := f.upload(t, bookmarks(urls...), "")
	crash := errors.New("killed")
	_, err := f.env.Items.RunImport(context.Background(), imp.ID, item.RunImportOpts{BatchSize: 5,
		AfterBatchFunc: func(pos int64) error {
			if pos == 10 {
				return crash
			}
			return nil
		}})
	require.ErrorIs(t, err, crash)
	mid, err := f.env.Items.GetImport(context.Background(), f.owner.ID, imp.ID)
	require.NoError(t, err)
	assert.Equal(t, item.ImportRunning, mid.Status)
	assert.Equal(t, 10, mid.Created, "two batches committed")
	assert.Len(t, f.items(t), 10)

	done := f.run(t, imp, 5)
	assert.Equal(t, item.ImportSucceeded, done.Status)
	assert.Equal(t, []int{23, 23, 0}, []int{done.Total, done.Created, done.Skipped})
	assert.Len(t, f.items(t), 23)
	assert.Equal(t, 23, f.events(t, "ItemCreated"), "one event per item, none twice")

	again := f.run(t, imp, 5)
	assert.Equal(t, done.Created, again.Created, "a finished import is left alone")
}

func TestImport_SettlesAfterEveryCommittedBatchAndStopsOnItsError(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	urls := make([]string, 12)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://settle%d.example/", i)
	}
	imp := f.upload(t, bookmarks(urls...), "")
	var seen [][2]int
	done, err := f.env.Items.RunImport(context.Background(), imp.ID, item.RunImportOpts{BatchSize: 5,
		Settle: func(context.Context) error {
			// What the batch wrote is committed, its events included.
			seen = append(seen, [2]int{len(f.items(t)), f.events(t, "ItemCreated")})
			return nil
		}})
	require.NoError(t, err)
	assert.Equal(t, item.ImportSucceeded, done.Status)
	assert.Equal(t, [][2]int{{5, 5}, {10, 10}, {12, 12}}, seen, "one settle per batch, after its commit")

	// A settle that fails (the database went away) stops the run for the
	// job to retry, after the committed batch.
	other := f.upload(t, bookmarks("https://settle-a.example/", "https://settle-b.example/", "https://settle-c.example/"), "")
	gone := errors.New("database gone")
	_, err = f.env.Items.RunImport(context.Background(), other.ID, item.RunImportOpts{BatchSize: 2,
		Settle: func(context.Context) error { return gone }})
	require.ErrorIs(t, err, gone)
	mid, err := f.env.Items.GetImport(context.Background(), f.owner.ID, other.ID)
	require.NoError(t, err)
	assert.Equal(t, item.ImportRunning, mid.Status)
	assert.Equal(t, 2, mid.Created)
}

func TestImport_UploadOverTheCapIsTooLargeAndLeavesNothing(t *testing.T) {
	t.Parallel()
	f := setupImport(t, testfactory.Opts{Configure: func(c *config.Config) { c.ImportMaxBytes = 4096 }})
	_, err := f.env.Items.CreateImport(context.Background(), f.owner.ID, f.collection,
		item.CreateImportParams{File: strings.NewReader(bookmarks(strings.Split(strings.Repeat("https://x.example/,", 200), ",")...))})
	require.ErrorIs(t, err, atlas.ErrTooLarge)
	assert.Zero(t, f.count(t, `SELECT count(*) FROM imports`))
	assert.Zero(t, f.count(t, `SELECT count(*) FROM import_chunks`))
}

func TestImport_FileInNoKnownFormatIsInvalid(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	for _, file := range []string{"", "url,title\nhttps://x.example/,X\n"} {
		_, err := f.env.Items.CreateImport(context.Background(), f.owner.ID, f.collection, item.CreateImportParams{File: strings.NewReader(file)})
		require.ErrorIs(t, err, atlas.ErrInvalid, "%q", file)
	}
	_, err := f.env.Items.CreateImport(context.Background(), f.owner.ID, f.collection,
		item.CreateImportParams{File: strings.NewReader(bookmarks()), OnDuplicate: "merge"})
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestImport_ViewerMayReadButNotImport(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	viewer := f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.collection, viewer, collection.RoleViewer)
	_, err := f.env.Items.CreateImport(context.Background(), viewer.ID, f.collection, item.CreateImportParams{File: strings.NewReader(bookmarks())})
	require.ErrorIs(t, err, atlas.ErrForbidden)
	imp := f.upload(t, bookmarks("https://a.example/"), "")
	_, err = f.env.Items.GetImport(context.Background(), viewer.ID, imp.ID)
	require.NoError(t, err)
	_, err = f.env.Items.GetImport(context.Background(), f.env.NewUser(t).ID, imp.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
}

func TestImport_FailsWhenTheUploaderLosesWriteAccess(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	editor := f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.collection, editor, collection.RoleEditor)
	imp, err := f.env.Items.CreateImport(context.Background(), editor.ID, f.collection,
		item.CreateImportParams{File: strings.NewReader(bookmarks("https://a.example/"))})
	require.NoError(t, err)
	_, err = f.env.Collections.ChangeRole(context.Background(), f.owner.ID, f.collection, editor.ID, collection.RoleViewer)
	require.NoError(t, err)
	got := f.run(t, imp, 5)
	assert.Equal(t, item.ImportFailed, got.Status)
	assert.Equal(t, item.ErrImportAccessLost.Error(), got.Failure)
	assert.Empty(t, f.items(t))
}

func TestImport_ListsACollectionsImportsNewestFirst(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	first := f.upload(t, bookmarks("https://a.example/"), "")
	second := f.upload(t, bookmarks("https://b.example/"), "")
	got, next, err := f.env.Items.ListImports(context.Background(), f.owner.ID, f.collection, cursor.Page{Limit: 1})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, second.ID, got[0].ID)
	got, _, err = f.env.Items.ListImports(context.Background(), f.owner.ID, f.collection, cursor.Page{Limit: 1, After: next})
	require.NoError(t, err)
	assert.Equal(t, first.ID, got[0].ID)
}
