package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
)

// browserPage is a page as the extension sends it, with everything a copy
// must not keep alive.
var browserPage = `<!doctype html><html><head><title>Seen in the browser</title>
<meta http-equiv="refresh" content="0;url=https://elsewhere.example/">
<script>document.title = "script ran"</script></head>
<body onload="document.title='handler ran'"><article><h1>Behind the sign-in</h1>
<p>Only the signed-in person sees this paragraph of the article, which is long enough to be read.</p>
<p>` + strings.Repeat("Another paragraph of the article that readability keeps for the reading view of the item. ", 20) + `</p>
<a href="javascript:alert(1)">run</a> <a href="https://go.dev/" onclick="steal()">go</a>
<iframe src="https://tracker.example/frame"></iframe>
<svg><script>alert(2)</script><a xlink:href="javascript:alert(3)"><text>svg</text></a></svg>
<img src="data:image/png;base64,iVBORw0KGgo=" onerror="alert(4)">
</article></body></html>`

func TestCaptureUpload_StoredInertAndPreferredOverTheServersCapture(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	site := archiveSite(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: site.URL + "/page"})
	_, secret := newToken(t, env, owner, map[string]any{"name": "browser extension", "scope": "write"})
	base := "/api/v1/items/" + it.ID.String() + "/archive"

	resp := env.Do(t, http.MethodPut, base+"/capture", secret, apitest.RawBody(browserPage))
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var got api.ItemArchive
	resp.JSON(t, &got)
	require.Equal(t, "archived", got.Status)
	require.Equal(t, archive.CapturedByBrowser, got.CapturedBy)
	require.Len(t, got.Copies, 2, "the copy and its readable version")

	for _, kind := range []string{"html", "readable"} {
		resp := env.Do(t, http.MethodGet, base+"/"+kind, secret, nil)
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		require.Equal(t, archive.CopyPolicy, resp.Header.Get("Content-Security-Policy"))
		body := strings.ToLower(string(resp.Body))
		require.Contains(t, body, "only the signed-in person sees this paragraph")
		for _, bad := range []string{"<script", "script ran", "onload", "onclick", "onerror", "javascript:", "http-equiv=\"refresh\"",
			"elsewhere.example", "<iframe", "tracker.example"} {
			require.NotContains(t, body, bad, "%s copy keeps %q", kind, bad)
		}
	}

	// The ARCHIVE_PAGE job meets the browser's copy of the same URL and keeps it.
	st, err := env.Archive.ArchiveItem(context.Background(), it)
	require.NoError(t, err)
	require.Equal(t, archive.CapturedByBrowser, st.CapturedBy)
	html := env.Do(t, http.MethodGet, base+"/html", secret, nil)
	require.Contains(t, string(html.Body), "Behind the sign-in")
	require.NotContains(t, string(html.Body), "Original title", "the server's capture did not replace the browser's")

	// Once the item links elsewhere, the server captures the new URL.
	moved := site.URL + "/moved"
	it, err = env.App.Items.Update(context.Background(), owner.ID, it.ID, item.UpdateParams{SourceURL: &moved})
	require.NoError(t, err)
	st, err = env.Archive.ArchiveItem(context.Background(), it)
	require.NoError(t, err)
	require.Equal(t, archive.CapturedByServer, st.CapturedBy)
	html = env.Do(t, http.MethodGet, base+"/html", secret, nil)
	require.Contains(t, string(html.Body), "Original title")
}

func TestCaptureUpload_BadInput(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10 // the smallest ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM allowed
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.ArchiveMaxBytesPerItem = limit }})
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/article"})
	path := "/api/v1/items/" + it.ID.String() + "/archive/capture"
	_, write := newToken(t, env, owner, map[string]any{"name": "browser extension", "scope": "write"})
	_, read := newToken(t, env, owner, map[string]any{"name": "browser extension", "scope": "read"})
	revokedID, revoked := newToken(t, env, owner, map[string]any{"name": "browser extension", "scope": "write"})
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+revokedID, owner.Token, nil).Status)

	huge := apitest.RawBody("<html><body><p>" + strings.Repeat("A long page. ", limit/12) + "</p></body></html>")
	cases := []struct {
		name   string
		token  string
		body   apitest.RawBody
		status int
		says   string
	}{
		{"over the size limit", write, huge, http.StatusRequestEntityTooLarge, "too large"},
		{"read-only token", read, apitest.RawBody(browserPage), http.StatusForbidden, "read scope"},
		{"revoked token", revoked, apitest.RawBody(browserPage), http.StatusUnauthorized, "log in again"},
		{"not HTML", write, apitest.RawBody("\x00\x01\x02PK\x03\x04 binary"), http.StatusUnprocessableEntity, "not an HTML page"},
	}
	for _, tc := range cases {
		resp := env.Do(t, http.MethodPut, path, tc.token, tc.body)
		require.Equal(t, tc.status, resp.Status, "%s: %s", tc.name, resp.Body)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), tc.name)
		require.Contains(t, strings.ToLower(string(resp.Body)), strings.ToLower(tc.says), tc.name)
	}

	// Nothing was stored by any of them.
	var st api.ItemArchive
	env.Do(t, http.MethodGet, "/api/v1/items/"+it.ID.String()+"/archive", write, nil).JSON(t, &st)
	require.Equal(t, "none", st.Status)
	require.Empty(t, st.Copies)
	var blobs []string
	require.NoError(t, env.ArchiveBlobs.List(context.Background(), archive.Prefix, func(i blob.Info) error {
		blobs = append(blobs, i.Key)
		return nil
	}))
	require.Empty(t, blobs, "no blob left behind")
}

func TestItemLookupByURL_FindsSavedLinksTheCallerMayRead(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, stranger := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/guide/?utm_source=x"})
	_, read := newToken(t, env, owner, map[string]any{"name": "browser extension", "scope": "read"})

	var got struct {
		Items []api.DuplicateMatch `json:"items"`
	}
	lookup := "/api/v1/items/by-url?url=https://EXAMPLE.com/guide%23intro"
	env.Do(t, http.MethodGet, lookup, read, nil).JSON(t, &got)
	require.Len(t, got.Items, 1, "the same page by normalised URL")
	require.Equal(t, it.ID, got.Items[0].ItemID)
	require.Equal(t, c.ID, got.Items[0].CollectionID)
	require.NotEmpty(t, got.Items[0].CollectionName)

	env.Do(t, http.MethodGet, lookup, stranger.Token, nil).JSON(t, &got)
	require.Empty(t, got.Items, "a stranger learns nothing of another's collections")

	resp := env.Do(t, http.MethodGet, "/api/v1/items/by-url?url=javascript:alert(1)", read, nil)
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, string(resp.Body))
}
