package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

// A good JPEG on a loopback site becomes the item's preview: the item says
// so, a member gets Atlas' thumbnail with Atlas' headers, a stranger a 404.
func TestItemImages_ServedWithAtlasHeadersToMembersOnly(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	photo := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for x := range 800 {
		photo.Set(x, 200, color.RGBA{0, 0, 255, 255})
	}
	var jpg bytes.Buffer
	require.NoError(t, jpeg.Encode(&jpg, photo, nil))
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html") // wrong on purpose: the bytes decide
		_, _ = w.Write(jpg.Bytes())
	}))
	t.Cleanup(site.Close)
	owner, viewer, stranger := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, viewer, collection.RoleViewer)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: site.URL + "/page"})
	base := "/api/v1/items/" + it.ID.String()

	var before api.Item
	env.Do(t, http.MethodGet, base, viewer.Token, nil).JSON(t, &before)
	require.Empty(t, before.PreviewURL, "no preview yet: the dashboard shows a placeholder without asking")
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base+"/preview", viewer.Token, nil).Status)

	meta, err := json.Marshal(map[string]string{"source_url": *it.SourceURL, "image_url": site.URL + "/og.jpg"})
	require.NoError(t, err)
	it, err = env.Items.SetMetadata(context.Background(), it.ID, meta)
	require.NoError(t, err)
	_, err = env.Archive.StoreImages(context.Background(), it)
	require.NoError(t, err)

	var got api.Item
	env.Do(t, http.MethodGet, base, viewer.Token, nil).JSON(t, &got)
	require.True(t, strings.HasPrefix(got.PreviewURL, base+"/preview?v="), got.PreviewURL)
	require.Empty(t, got.IconURL)

	resp := env.Do(t, http.MethodGet, got.PreviewURL, viewer.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "private, max-age=31536000, immutable", resp.Header.Get("Cache-Control"))
	require.NotEmpty(t, resp.Header.Get("ETag"))
	require.NotEqual(t, jpg.Bytes(), resp.Body, "Atlas' thumbnail, not the site's file")
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(resp.Body))
	require.NoError(t, err)
	require.Equal(t, 640, cfg.Width)

	unversioned := env.Do(t, http.MethodGet, base+"/preview", viewer.Token, nil)
	require.Equal(t, http.StatusOK, unversioned.Status)
	require.Equal(t, "private, no-cache", unversioned.Header.Get("Cache-Control"), "only the versioned URL is immutable")
	again := env.Do(t, http.MethodGet, base+"/preview", viewer.Token, nil, "If-None-Match", resp.Header.Get("ETag"))
	require.Equal(t, http.StatusNotModified, again.Status)
	require.Empty(t, again.Body)

	for _, path := range []string{got.PreviewURL, base + "/icon"} {
		resp := env.Do(t, http.MethodGet, path, stranger.Token, nil)
		require.Equal(t, http.StatusNotFound, resp.Status, "a non-member learns nothing: %s", path)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, path, "", nil).Status)
	}
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base+"/icon", viewer.Token, nil).Status, "no icon: 404")
}
