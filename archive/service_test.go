package archive_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

type fixture struct {
	env     *testfactory.Env
	owner   testfactory.User
	coll    uuid.UUID
	dir     string
	blobs   blob.Store
	service *archive.Service
	site    *httptest.Server
	now     time.Time
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	f := &fixture{env: env, owner: owner, coll: env.NewCollection(t, owner).ID, dir: t.TempDir(), now: time.Now()}
	var err error
	f.blobs, err = blob.NewDir(f.dir)
	require.NoError(t, err)
	f.service = archive.NewService(archive.ServiceParams{Pool: env.Pool, Blobs: f.blobs, Collections: env.Collections,
		Capture: testCapture(2<<20, 10*time.Second), NowFunc: func() time.Time { return f.now }})
	f.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(strings.Repeat("<p>too much</p>", 1<<20)))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><head><title>T</title></head><body><article><p>` +
			strings.Repeat("An article worth keeping for later. ", 30) + `</p></article><script>x()</script></body></html>`))
	}))
	t.Cleanup(f.site.Close)
	return f
}

func (f *fixture) newItem(t *testing.T, path string) item.Item {
	t.Helper()
	u := f.site.URL + path
	return f.env.NewItem(t, f.owner, f.coll, item.CreateParams{SourceURL: u})
}

// blobKeys lists every blob in the store.
func (f *fixture) blobKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	require.NoError(t, f.blobs.List(context.Background(), "", func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	}))
	return keys
}

func TestArchiveItem_StoresBothCopiesAndShowsThemToReaders(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "/page")
	st, err := f.service.ArchiveItem(context.Background(), it)
	require.NoError(t, err)
	require.Equal(t, archive.StateArchived, st.State)
	require.Len(t, st.Copies, 2)
	require.Len(t, f.blobKeys(t), 2)

	viewer := f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.coll, viewer, "viewer")
	got, err := f.service.Get(context.Background(), viewer.ID, it.ID)
	require.NoError(t, err)
	require.Equal(t, st.Copies[0].SHA256, got.Copies[0].SHA256)
	r, c, err := f.service.Open(context.Background(), viewer.ID, it.ID, archive.KindHTML)
	require.NoError(t, err)
	body, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	require.Equal(t, c.Size, int64(len(body)))
	require.Contains(t, string(body), "An article worth keeping")
	require.NotContains(t, string(body), "<script")

	usage, err := f.service.Usage(context.Background(), viewer.ID, f.coll)
	require.NoError(t, err)
	require.Equal(t, st.Copies[0].Size+st.Copies[1].Size, usage)

	// Archiving again replaces the copies without leaving the old blobs.
	_, err = f.service.ArchiveItem(context.Background(), it)
	require.NoError(t, err)
	require.Len(t, f.blobKeys(t), 2)
}

func TestArchiveItem_ReaderWithoutAccessGetsNotFound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "/page")
	_, err := f.service.ArchiveItem(context.Background(), it)
	require.NoError(t, err)
	stranger := f.env.NewUser(t)
	_, err = f.service.Usage(context.Background(), stranger.ID, f.coll)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = f.service.Get(context.Background(), stranger.ID, it.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, _, err = f.service.Open(context.Background(), stranger.ID, it.ID, archive.KindHTML)
	require.ErrorIs(t, err, atlas.ErrNotFound)
}

func TestArchiveItem_FailureRecordsTheReasonAndStoresNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "/big")
	_, err := f.service.ArchiveItem(context.Background(), it)
	var fl *archive.Failure
	require.ErrorAs(t, err, &fl)
	st, err := f.service.Get(context.Background(), f.owner.ID, it.ID)
	require.NoError(t, err)
	require.Equal(t, archive.StateFailed, st.State)
	require.Equal(t, archive.CodeTooLarge, st.Code)
	require.Contains(t, st.Reason, "larger than")
	require.Empty(t, st.Copies)
	require.Empty(t, f.blobKeys(t), "nothing stored half")
}

func TestDelete_ItemAndCollectionEventsRemoveTheirBlobs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	a, b := f.newItem(t, "/page"), f.newItem(t, "/page")
	for _, it := range []item.Item{a, b} {
		_, err := f.service.ArchiveItem(ctx, it)
		require.NoError(t, err)
	}
	other := f.env.NewCollection(t, f.owner)
	c := f.env.NewItem(t, f.owner, other.ID, item.CreateParams{SourceURL: f.site.URL + "/page"})
	_, err := f.service.ArchiveItem(ctx, c)
	require.NoError(t, err)
	require.Len(t, f.blobKeys(t), 6)

	require.NoError(t, f.env.Items.Delete(ctx, f.owner.ID, a.ID))
	deliver(t, f, a.ID, events.ItemDeleted)
	keys := f.blobKeys(t)
	require.Len(t, keys, 4)
	for _, k := range keys {
		require.NotContains(t, k, a.ID.String())
	}

	require.NoError(t, f.env.Collections.Delete(ctx, f.owner.ID, f.coll))
	deliver(t, f, f.coll, events.CollectionDeleted)
	keys = f.blobKeys(t)
	require.Len(t, keys, 2, "only the other collection's copies remain")
	for _, k := range keys {
		require.Contains(t, k, other.ID.String())
	}
}

// deliver hands the entity's events of type typ from the outbox to the
// archive's consumer, as the Kafka consumer group would.
func deliver(t *testing.T, f *fixture, entity uuid.UUID, typ events.Type) {
	t.Helper()
	evs := f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &entity, Type: typ})
	require.NotEmpty(t, evs)
	batch := make([]events.Delivery, len(evs))
	for i, e := range testfactory.Envelopes(evs) {
		batch[i] = events.Delivery{Envelope: e}
	}
	require.NoError(t, f.service.Handle(context.Background(), batch))
	require.NoError(t, f.service.Handle(context.Background(), batch), "a redelivery is harmless")
}

func TestReconcile_RemovesOrphansOlderThanTheGrace(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	it := f.newItem(t, "/page")
	_, err := f.service.ArchiveItem(ctx, it)
	require.NoError(t, err)
	orphan := "items/" + f.coll.String() + "/" + uuid.NewString() + "/html-0011223344556677.html"
	fresh := "items/" + f.coll.String() + "/" + uuid.NewString() + "/html-8899aabbccddeeff.html"
	require.NoError(t, f.blobs.Put(ctx, orphan, []byte("left behind"), "text/html"))
	require.NoError(t, f.blobs.Put(ctx, fresh, []byte("a job is writing me"), "text/html"))
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(f.dir, filepath.FromSlash(orphan)), old, old))

	rep, err := f.service.Reconcile(ctx, time.Hour, false)
	require.NoError(t, err)
	require.Equal(t, archive.OrphanReport{Blobs: 4, Orphans: 1, OrphanBytes: 11}, rep, "a dry run only reports")
	require.Len(t, f.blobKeys(t), 4)

	rep, err = f.service.Reconcile(ctx, time.Hour, true)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Removed)
	keys := f.blobKeys(t)
	require.Len(t, keys, 3)
	require.NotContains(t, keys, orphan)
	require.Contains(t, keys, fresh, "a blob younger than the grace period is left alone")
}
