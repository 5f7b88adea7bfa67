package archive_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/preview"
)

// imageSite serves a good PNG (/og.png, /icon.png), a PNG whose header
// declares 10^8 pixels (/bomb.png) and an HTML page posing as an image
// (/fake.png), counting the requests for each path.
func imageSite(t *testing.T) (*httptest.Server, *counter) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 1200, 600))
	for x := range 1200 {
		img.Set(x, x/2, color.NRGBA{200, 10, 10, 255})
	}
	var good bytes.Buffer
	require.NoError(t, png.Encode(&good, img))
	// The header of a 10000 × 10000 greyscale PNG: all a decoder needs to
	// allocate 100 MB (the pixel data never comes).
	ihdr := []byte("IHDR\x00\x00\x27\x10\x00\x00\x27\x10\x08\x00\x00\x00\x00")
	bomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(ihdr))
	hits := &counter{m: map[string]*atomic.Int64{}}
	for _, p := range []string{"/og.png", "/icon.png", "/bomb.png", "/fake.png"} {
		hits.m[p] = &atomic.Int64{}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.URL.Path)
		w.Header().Set("Content-Type", "image/png")
		switch r.URL.Path {
		case "/og.png", "/icon.png":
			_, _ = w.Write(good.Bytes())
		case "/bomb.png":
			_, _ = w.Write(bomb)
		case "/fake.png":
			_, _ = w.Write([]byte("<html><script>alert(1)</script></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// counter counts requests by path (paths set up front).
type counter struct{ m map[string]*atomic.Int64 }

func (s *counter) inc(k string) {
	if c, ok := s.m[k]; ok {
		c.Add(1)
	}
}

func (s *counter) get(k string) int64 { return s.m[k].Load() }

// imagesSetup is setup with preview images on.
func imagesSetup(t *testing.T) (*fixture, *httptest.Server, *counter) {
	t.Helper()
	f := setup(t)
	site, hits := imageSite(t)
	f.service = archive.NewService(archive.ServiceParams{Pool: f.env.Pool, Blobs: f.blobs, Collections: f.env.Collections,
		Capture: testCapture(2<<20, 10*time.Second), Images: &preview.Opts{Fetch: enrich.FetcherOpts{AllowLoopback: true}},
		NowFunc: func() time.Time { return f.now }})
	return f, site, hits
}

// withImages stores enrichment metadata naming the image URLs on an item.
func (f *fixture) withImages(t *testing.T, it item.Item, imageURL, iconURL string) item.Item {
	t.Helper()
	meta, err := json.Marshal(map[string]string{"source_url": *it.SourceURL, "image_url": imageURL, "favicon_url": iconURL})
	require.NoError(t, err)
	it, err = f.env.Items.SetMetadata(context.Background(), it.ID, meta)
	require.NoError(t, err)
	return it
}

func outcomes(out []archive.ImageOutcome) map[preview.Kind]string {
	m := map[preview.Kind]string{}
	for _, o := range out {
		m[o.Kind] = o.Outcome
	}
	return m
}

func TestStoreImages_StoresThumbnailsOnceAndServesThemToReadersOnly(t *testing.T) {
	t.Parallel()
	f, site, hits := imagesSetup(t)
	ctx := context.Background()
	it := f.withImages(t, f.newItem(t, "/page"), site.URL+"/og.png", site.URL+"/icon.png")

	out, err := f.service.StoreImages(ctx, it)
	require.NoError(t, err)
	require.Equal(t, map[preview.Kind]string{preview.KindPreview: "stored", preview.KindIcon: "stored"}, outcomes(out))
	got, err := f.env.Items.Get(ctx, f.owner.ID, it.ID)
	require.NoError(t, err)
	require.Len(t, got.PreviewImage, 16, "the item says it has a preview")
	require.Len(t, got.IconImage, 16)

	r, m, err := f.service.OpenImage(ctx, f.owner.ID, it.ID, preview.KindPreview)
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", m.ContentType)
	require.Equal(t, [2]int{640, 320}, [2]int{m.Width, m.Height})
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, "jpeg", format, "Atlas' own JPEG, not the site's PNG")
	require.Equal(t, 640, cfg.Width)

	stranger := f.env.NewUser(t)
	_, _, err = f.service.OpenImage(ctx, stranger.ID, it.ID, preview.KindPreview)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a non-member learns nothing")

	out, err = f.service.StoreImages(ctx, it)
	require.NoError(t, err)
	require.Equal(t, map[preview.Kind]string{preview.KindPreview: "kept", preview.KindIcon: "kept"}, outcomes(out))
	require.EqualValues(t, 1, hits.get("/og.png"), "an image is fetched once")
	require.EqualValues(t, 1, hits.get("/icon.png"))
	require.Len(t, f.blobKeys(t), 2)
}

func TestStoreImages_RefusedImagesStoreNothingAndReplaceNoLongerNamedOnes(t *testing.T) {
	t.Parallel()
	f, site, _ := imagesSetup(t)
	ctx := context.Background()
	it := f.withImages(t, f.newItem(t, "/page"), site.URL+"/og.png", site.URL+"/icon.png")
	_, err := f.service.StoreImages(ctx, it)
	require.NoError(t, err)
	require.Len(t, f.blobKeys(t), 2)

	// The page now names a decompression bomb and an HTML file as its images.
	it = f.withImages(t, it, site.URL+"/bomb.png", site.URL+"/fake.png")
	out, err := f.service.StoreImages(ctx, it)
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, "failed", out[0].Outcome)
	require.Equal(t, preview.CodeTooManyPixels, out[0].Code)
	require.Equal(t, "failed", out[1].Outcome)
	require.Equal(t, preview.CodeNotImage, out[1].Code)
	require.NotEmpty(t, out[1].Reason)
	got, err := f.env.Items.Get(ctx, f.owner.ID, it.ID)
	require.NoError(t, err)
	require.Empty(t, got.PreviewImage, "the old preview is not the page's any more: a placeholder shows")
	require.Empty(t, got.IconImage)
	require.Empty(t, f.blobKeys(t))
	_, _, err = f.service.OpenImage(ctx, f.owner.ID, it.ID, preview.KindIcon)
	require.ErrorIs(t, err, atlas.ErrNotFound)

	// A private address is refused by the guard (no loopback allowed here).
	guarded := archive.NewService(archive.ServiceParams{Pool: f.env.Pool, Blobs: f.blobs, Collections: f.env.Collections,
		Images: &preview.Opts{}})
	it = f.withImages(t, it, site.URL+"/og.png", "")
	out, err = guarded.StoreImages(ctx, it)
	require.NoError(t, err)
	require.Equal(t, preview.CodeBlocked, out[0].Code)
	require.Equal(t, "none", out[1].Outcome)
	require.Empty(t, f.blobKeys(t))
}

func TestStoreImages_DeletedWithTheItemAndKnownToReconcile(t *testing.T) {
	t.Parallel()
	f, site, _ := imagesSetup(t)
	ctx := context.Background()
	a := f.withImages(t, f.newItem(t, "/page"), site.URL+"/og.png", site.URL+"/icon.png")
	b := f.withImages(t, f.newItem(t, "/page"), site.URL+"/og.png", "")
	for _, it := range []item.Item{a, b} {
		_, err := f.service.StoreImages(ctx, it)
		require.NoError(t, err)
	}
	require.Len(t, f.blobKeys(t), 3)

	f.now = time.Now().Add(2 * time.Hour) // every blob is past the grace period
	rep, err := f.service.Reconcile(ctx, time.Hour, true)
	require.NoError(t, err)
	require.Zero(t, rep.Orphans, "item images are not orphans")

	require.NoError(t, f.env.Items.Delete(ctx, f.owner.ID, a.ID))
	deliver(t, f, a.ID, events.ItemDeleted)
	keys := f.blobKeys(t)
	require.Len(t, keys, 1, "the deleted item's images are gone")
	require.True(t, strings.Contains(keys[0], b.ID.String()))
	var rows int
	require.NoError(t, f.env.Pool.QueryRow(ctx, `SELECT count(*) FROM item_images WHERE item_id = $1`, a.ID).Scan(&rows))
	require.Zero(t, rows)

	require.NoError(t, f.blobs.Delete(ctx, keys[0]))
	_, _, err = f.service.OpenImage(ctx, f.owner.ID, b.ID, preview.KindPreview)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a row without its blob is not found, not a 500")
}
