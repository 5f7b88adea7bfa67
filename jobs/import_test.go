package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/item"
)

func TestImportWorker_RunsAnUploadToTheEnd(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var b strings.Builder
	b.WriteString("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n")
	for i := range 30 {
		fmt.Fprintf(&b, "<DT><A HREF=\"https://site%d.example/\">Site %d</A>\n", i, i)
	}
	b.WriteString(`<DT><A HREF="javascript:void(0)">Bookmarklet</A>` + "\n</DL>\n")
	ctx := context.Background()
	imp, err := f.env.Items.CreateImport(ctx, f.owner.ID, f.collection, item.CreateImportParams{File: strings.NewReader(b.String())})
	require.NoError(t, err)
	p := f.testHandlers()
	p.Import = item.RunImportOpts{BatchSize: 7}
	f.startWorker(t, p)
	var got item.Import
	require.Eventually(t, func() bool {
		got, err = f.env.Items.GetImport(ctx, f.owner.ID, imp.ID)
		return err == nil && got.Finished()
	}, 20*time.Second, 20*time.Millisecond)
	assert.Equal(t, item.ImportSucceeded, got.Status)
	assert.Equal(t, []int{31, 30, 1}, []int{got.Total, got.Created, got.Skipped})
	var priority, n int
	require.NoError(t, f.env.Pool.QueryRow(ctx, `SELECT min(priority), count(*) FROM river_job WHERE kind = 'enrich_url' AND args->>'collection_id' = $1`,
		f.collection.String()).Scan(&priority, &n))
	assert.Equal(t, 30, n, "every imported link is queued for enrichment")
	assert.Equal(t, 4, priority, "at the lowest priority")
}
