package jobs_test

import (
	"bytes"
	"context"
	"image"
	pngenc "image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
)

// An HTML page is archived after its enrichment, by an ARCHIVE_PAGE job on
// the enrichment's queue; a non-HTML document gets no ARCHIVE_PAGE.
func TestEnrich_QueuesArchivePageForHTML(t *testing.T) {
	t.Parallel()
	f := setup(t)
	site := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/doc.txt" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("plain text"))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><head><title>Page</title><script>x()</script></head><body><p>` +
			strings.Repeat("Archived words. ", 50) + `</p></body></html>`))
	})
	p := f.testHandlers()
	p.Archive = f.env.Archive
	f.startWorker(t, p)

	page, doc := f.newItem(t, site.URL+"/page"), f.newItem(t, site.URL+"/doc.txt")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		st, err := f.env.Archive.Get(context.Background(), f.owner.ID, page.ID)
		require.NoError(c, err)
		require.Equal(c, archive.StateArchived, st.State)
		require.Len(c, st.Copies, 2)
	}, 15*time.Second, 50*time.Millisecond)

	f.waitStatus(t, f.jobOfType(t, doc.ID, jobs.TypeEnrichURL).ID, jobs.StatusSucceeded)
	st, err := f.env.Archive.Get(context.Background(), f.owner.ID, doc.ID)
	require.NoError(t, err)
	require.Equal(t, archive.StateNone, st.State, "a text document is not archived")
	require.Equal(t, 0, archiveJobs(t, f, doc), "no ARCHIVE_PAGE for a text document")
	require.Equal(t, 1, archiveJobs(t, f, page))

	// The jobs API lists the ARCHIVE_PAGE job with the item's others, and
	// filters by its type.
	var types []jobs.Type
	for _, j := range f.itemJobs(t, page.ID) {
		types = append(types, j.Type)
	}
	require.Contains(t, types, jobs.TypeEnrichURL)
	require.Contains(t, types, jobs.TypeArchivePage)
	j := f.waitStatus(t, f.jobOfType(t, page.ID, jobs.TypeArchivePage).ID, jobs.StatusSucceeded)
	require.Equal(t, page.CollectionID, j.CollectionID)
}

// An import's items are archived on the bulk queue, as their enrichment is.
func TestImportEnrichment_ArchivesOnTheBulkQueue(t *testing.T) {
	t.Parallel()
	f := setup(t)
	site := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><body><p>imported</p></body></html>`))
	})
	p := f.testHandlers()
	p.Archive = f.env.Archive
	f.startWorker(t, p)
	_, err := f.env.Items.CreateImport(context.Background(), f.owner.ID, f.collection, item.CreateImportParams{
		File: strings.NewReader(`<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="` + site.URL + `/a">A</A></DL>`)})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var queue, state string
		err := f.env.Pool.QueryRow(context.Background(),
			`SELECT queue, state FROM river_job WHERE kind = $1`, archive.KindArchivePage).Scan(&queue, &state)
		require.NoError(c, err)
		require.Equal(c, jobs.QueueBulk, queue)
		require.Equal(c, "completed", state)
	}, 20*time.Second, 50*time.Millisecond)
}

func archiveJobs(t *testing.T, f fixture, it item.Item) int {
	t.Helper()
	var n int
	err := f.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'item_id' = $2`,
		archive.KindArchivePage, it.ID.String()).Scan(&n)
	require.NoError(t, err)
	return n
}

// An enriched page's og:image and icon become the item's thumbnails by a
// FETCH_IMAGES job that ENRICH_URL adds on its own queue.
func TestEnrich_QueuesFetchImagesAndTheItemGetsItsThumbnails(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var png bytes.Buffer
	require.NoError(t, pngenc.Encode(&png, image.NewGray(image.Rect(0, 0, 300, 150))))
	site := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/og.png", "/icon.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(png.Bytes())
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><title>Page</title><meta property="og:image" content="/og.png">` +
				`<link rel="icon" href="/icon.png"></head><body><p>words</p></body></html>`))
		}
	})
	p := f.testHandlers()
	p.Archive = f.env.Archive
	f.startWorker(t, p)

	it := f.newItem(t, site.URL+"/page")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := f.env.Items.Get(context.Background(), f.owner.ID, it.ID)
		require.NoError(c, err)
		require.NotEmpty(c, got.PreviewImage)
		require.NotEmpty(c, got.IconImage)
	}, 15*time.Second, 50*time.Millisecond)
	var queues []string
	rows, err := f.env.Pool.Query(context.Background(), `SELECT queue FROM river_job WHERE kind IN ($1, $2) AND args->>'item_id' = $3`,
		archive.KindFetchImages, jobs.KindEnrichURL, it.ID.String())
	require.NoError(t, err)
	queues, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, queues, 2)
	require.Equal(t, queues[0], queues[1], "FETCH_IMAGES runs on the enrichment's queue")
}
