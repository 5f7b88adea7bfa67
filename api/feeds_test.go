package api_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/item"
)

// newFeedToken creates a feed token for u through the API.
func newFeedToken(t *testing.T, env *apitest.Env, u apitest.User) (id, secret string) {
	t.Helper()
	return newToken(t, env, u, map[string]any{"name": "feed reader", "scope": "feed"})
}

// getFeed fetches path as a feed reader does (no Authorization header, no
// cookie), with optional conditional headers.
func getFeed(t *testing.T, env *apitest.Env, path string, headers ...string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodGet, path, "", nil, headers...)
}

// parseFeed parses a feed with a real feed parser (gofeed) and checks the
// format it detected.
func parseFeed(t *testing.T, body []byte, want gofeed.FeedType) *gofeed.Feed {
	t.Helper()
	require.Equal(t, want, gofeed.DetectFeedType(bytes.NewReader(body)), "%s", body)
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	require.NoError(t, err, "%s", body)
	return f
}

func TestCollectionFeed_EveryFormatParsesAndShowsTheNewestItems(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	src := "https://go.dev/ref/mem"
	env.NewItem(t, u, c.ID, item.CreateParams{Title: "Older", Description: "first"})
	env.NewItem(t, u, c.ID, item.CreateParams{Title: "The Go Memory Model", SourceURL: src, Tags: []string{"go", "memory"}})
	_, secret := newFeedToken(t, env, u)

	for format, typ := range map[string]gofeed.FeedType{"atom": gofeed.FeedTypeAtom, "rss": gofeed.FeedTypeRSS, "json": gofeed.FeedTypeJSON} {
		resp := getFeed(t, env, "/feeds/collections/"+c.ID.String()+"/"+format+"?token="+url.QueryEscape(secret))
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", format, resp.Body)
		require.Equal(t, "private, no-cache", resp.Header.Get("Cache-Control"), format)
		require.Empty(t, resp.Header.Get("Set-Cookie"), "no session is needed or made")
		f := parseFeed(t, resp.Body, typ)
		require.Equal(t, c.Name, f.Title, format)
		require.Len(t, f.Items, 2, format)
		require.Equal(t, "The Go Memory Model", f.Items[0].Title, "%s: newest first", format)
		require.Equal(t, src, f.Items[0].Link, format)
		require.Equal(t, "Older", f.Items[1].Title, format)
		require.Contains(t, f.Items[1].Link, "/items/", "%s: an item without a URL links to its page", format)
		require.NotNil(t, f.Items[0].PublishedParsed, format)
		if format == "json" {
			require.Equal(t, "https://jsonfeed.org/version/1.1", f.FeedVersion)
			require.ElementsMatch(t, []string{"go", "memory"}, f.Items[0].Categories)
		}
	}
}

func TestCollectionFeed_ETagAndLastModifiedAnswer304(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	env.NewItem(t, u, c.ID, item.CreateParams{Title: "One"})
	_, secret := newFeedToken(t, env, u)
	path := "/feeds/collections/" + c.ID.String() + "/atom?token=" + url.QueryEscape(secret)

	first := getFeed(t, env, path)
	require.Equal(t, http.StatusOK, first.Status)
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	require.NotEmpty(t, etag)
	require.NotEmpty(t, modified)

	again := getFeed(t, env, path, "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, again.Status)
	require.Empty(t, again.Body)
	require.Equal(t, etag, again.Header.Get("ETag"))
	require.Equal(t, http.StatusNotModified, getFeed(t, env, path, "If-None-Match", `"other", W/`+etag).Status, "a list, weak form")
	require.Equal(t, http.StatusNotModified, getFeed(t, env, path, "If-Modified-Since", modified).Status)
	require.Equal(t, http.StatusOK, getFeed(t, env, path, "If-None-Match", `"stale"`, "If-Modified-Since", modified).Status,
		"If-None-Match wins over If-Modified-Since")
	require.Equal(t, http.StatusOK, getFeed(t, env, path, "If-Modified-Since", time.Unix(0, 0).UTC().Format(http.TimeFormat)).Status)

	env.NewItem(t, u, c.ID, item.CreateParams{Title: "Two"})
	changed := getFeed(t, env, path, "If-None-Match", etag)
	require.Equal(t, http.StatusOK, changed.Status, "a new item changes the feed")
	require.NotEqual(t, etag, changed.Header.Get("ETag"))
	require.NotEqual(t, first.Header.Get("ETag"), getFeed(t, env, "/feeds/collections/"+c.ID.String()+"/rss?token="+url.QueryEscape(secret)).Header.Get("ETag"),
		"each format has its own ETag")
}

func TestCollectionFeed_RevokedWrongOrMissingTokenIs401AndStrangersGet404(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u, stranger := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, u)
	id, secret := newFeedToken(t, env, u)
	_, strangers := newFeedToken(t, env, stranger)
	_, pat := newToken(t, env, u, map[string]any{"name": "script", "scope": "read"})
	path := "/feeds/collections/" + c.ID.String() + "/atom?token="
	require.Equal(t, http.StatusOK, getFeed(t, env, path+url.QueryEscape(secret)).Status)

	require.Equal(t, http.StatusNotFound, getFeed(t, env, path+url.QueryEscape(strangers)).Status, "a stranger's feed token")
	for name, tok := range map[string]string{"none": "", "API token": pat, "access token": u.Token, "garbage": "atlas_feed_nope"} {
		resp := getFeed(t, env, path+url.QueryEscape(tok))
		require.Equal(t, http.StatusUnauthorized, resp.Status, name)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), name)
	}
	require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/collections", secret, nil).Status,
		"a feed token opens nothing of the JSON API")
	require.Equal(t, http.StatusNotFound, getFeed(t, env, "/feeds/collections/"+c.ID.String()+"/html?token="+url.QueryEscape(secret)).Status)
	require.Equal(t, http.StatusNotFound, getFeed(t, env, "/feeds/collections/nope/atom?token="+url.QueryEscape(secret)).Status)

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/auth/tokens/"+id, u.Token, nil).Status)
	resp := getFeed(t, env, path+url.QueryEscape(secret))
	require.Equal(t, http.StatusUnauthorized, resp.Status, "revoked at once")
	require.Contains(t, resp.Header.Get("WWW-Authenticate"), "invalid_token")
	require.Empty(t, resp.Header.Get("ETag"))
}
