package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

// archiveSite serves a page whose script would change the title.
func archiveSite(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/image" {
			w.Header().Set("Content-Type", "image/png")
		}
		_, _ = w.Write([]byte(`<html><head><title>Original title</title><script>document.title = "script ran"</script></head>
<body onload="document.title='handler ran'"><article><h1>Kept</h1><p>` + strings.Repeat("A paragraph of the article. ", 40) +
			`</p><a href="javascript:alert(1)">x</a></article></body></html>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestArchiveCopy_ServedSandboxedToReaders(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	site := archiveSite(t)
	owner, viewer, stranger := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, viewer, collection.RoleViewer)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: site.URL + "/page"})
	base := "/api/v1/items/" + it.ID.String() + "/archive"

	var none api.ItemArchive
	env.Do(t, http.MethodGet, base, viewer.Token, nil).JSON(t, &none)
	require.Equal(t, "none", none.Status)
	require.Empty(t, none.Copies)

	_, err := env.Archive.ArchiveItem(context.Background(), it)
	require.NoError(t, err)

	resp := env.Do(t, http.MethodGet, base, viewer.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var got api.ItemArchive
	resp.JSON(t, &got)
	require.Equal(t, "archived", got.Status)
	require.Len(t, got.Copies, 2)
	require.Equal(t, base+"/html", got.Copies[0].URL)

	for _, kind := range []string{"html", "readable"} {
		resp := env.Do(t, http.MethodGet, base+"/"+kind, viewer.Token, nil)
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		require.Equal(t, archive.CopyPolicy, resp.Header.Get("Content-Security-Policy"))
		require.True(t, strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox;"), "sandboxed, without allow-scripts")
		require.NotContains(t, resp.Header.Get("Content-Security-Policy"), "allow-scripts")
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		body := strings.ToLower(string(resp.Body))
		require.Contains(t, body, "a paragraph of the article.")
		for _, bad := range []string{"<script", "script ran", "onload", "javascript:"} {
			require.NotContains(t, body, bad, "%s copy", kind)
		}
	}

	for _, path := range []string{base, base + "/html", base + "/readable"} {
		resp := env.Do(t, http.MethodGet, path, stranger.Token, nil)
		require.Equal(t, http.StatusNotFound, resp.Status, "a non-member learns nothing: %s", path)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, path, "", nil).Status)
	}

	var usage api.CollectionArchiveUsage
	env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/archive-usage", viewer.Token, nil).JSON(t, &usage)
	require.Equal(t, got.Copies[0].SizeBytes+got.Copies[1].SizeBytes, usage.ArchiveBytes)
}

func TestArchive_FailureReasonIsShown(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write([]byte("PK\x03\x04"))
	}))
	defer site.Close()
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: site.URL + "/file.zip"})
	_, err := env.Archive.ArchiveItem(context.Background(), it)
	require.Error(t, err)

	var got api.ItemArchive
	env.Do(t, http.MethodGet, "/api/v1/items/"+it.ID.String()+"/archive", owner.Token, nil).JSON(t, &got)
	require.Equal(t, "failed", got.Status)
	require.Equal(t, "not_html", got.Code)
	require.Contains(t, got.Reason, "application/zip, not HTML")
	require.Empty(t, got.Copies)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, "/api/v1/items/"+it.ID.String()+"/archive/html", owner.Token, nil).Status)
}
