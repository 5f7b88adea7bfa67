package reconcile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/reconcile"
)

// `atlas reconcile` reports an archived copy's blob that no row names and,
// with repair, removes it.
func TestReconcile_RemovesOrphanedArchiveBlobs(t *testing.T) {
	t.Parallel()
	f := setup(t, 3)
	dir := t.TempDir()
	blobs, err := blob.NewDir(dir)
	require.NoError(t, err)
	rec, err := reconcile.New(reconcile.Params{DB: f.env.Pool, Syncer: f.syncer,
		Archive: archive.NewService(archive.ServiceParams{Pool: f.env.Pool, Blobs: blobs})})
	require.NoError(t, err)
	orphan := "items/" + f.coll.String() + "/" + uuid.NewString() + "/html-0011223344556677.html"
	require.NoError(t, blobs.Put(t.Context(), orphan, []byte("orphan"), "text/html"))
	old := time.Now().Add(-2 * archive.DefaultOrphanGrace)
	require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(orphan)), old, old))

	rep, err := rec.Run(t.Context(), reconcile.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.ArchiveOrphans.Orphans, rep.String())
	assert.Equal(t, 1, rep.Unrepaired(false), "an orphan is drift")
	assert.Contains(t, rep.String(), "blobs no row names")

	rep, err = rec.Run(t.Context(), reconcile.Options{Repair: true})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.ArchiveOrphans.Removed)
	assert.Zero(t, rep.Unrepaired(true))
	_, _, err = blobs.Get(t.Context(), orphan)
	require.ErrorIs(t, err, blob.ErrNotFound)
}
