package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
)

// publicLink is a created public link as the API answers it.
type publicLink struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	Path      string     `json:"path"`
	ExpiresAt *time.Time `json:"expires_at"`
	Indexable bool       `json:"indexable"`
}

// publish creates a public link of collection c as owner u.
func publish(t *testing.T, env *apitest.Env, u apitest.User, c string, body map[string]any) publicLink {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	resp := env.Do(t, http.MethodPost, "/api/v1/collections/"+c+"/public-links", u.Token, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var l publicLink
	resp.JSON(t, &l)
	return l
}

type publicItems struct {
	Items []struct {
		ID    string   `json:"id"`
		Title string   `json:"title"`
		Tags  []string `json:"tags"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func titlesOf(p publicItems) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestPublicLink_OpensOneCollectionWithoutAnAccount(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c, other := env.NewCollection(t, u), env.NewCollection(t, u)
	for i := range 3 {
		env.NewItem(t, u, c.ID, item.CreateParams{Title: "Shared " + string(rune('A'+i)), Notes: "private notes", Tags: []string{"go"}})
	}
	env.NewItem(t, u, other.ID, item.CreateParams{Title: "Not shared"})
	l := publish(t, env, u, c.ID.String(), nil)
	require.Equal(t, "/p/"+l.Token, l.Path)
	base := "/api/v1/public/" + l.Token

	resp := env.Do(t, http.MethodGet, base, "", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "noindex", resp.Header.Get("X-Robots-Tag"))
	require.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	m := resp.Map(t)
	require.Equal(t, c.Name, m["name"])
	require.Equal(t, "/feeds/public/"+l.Token+"/atom", m["feeds"].(map[string]any)["atom"])
	require.NotContains(t, string(resp.Body), u.ID.String(), "nothing of the owner's")

	// Items, keyset-paginated, without notes or author.
	var page publicItems
	resp = env.Do(t, http.MethodGet, base+"/items?limit=2", "", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "noindex", resp.Header.Get("X-Robots-Tag"))
	require.NotContains(t, string(resp.Body), "private notes")
	require.NotContains(t, string(resp.Body), u.ID.String())
	resp.JSON(t, &page)
	require.Equal(t, []string{"Shared C", "Shared B"}, titlesOf(page))
	require.NotNil(t, page.NextCursor)
	resp = env.Do(t, http.MethodGet, base+"/items?limit=2&cursor="+url.QueryEscape(*page.NextCursor), "", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	page = publicItems{}
	resp.JSON(t, &page)
	require.Equal(t, []string{"Shared A"}, titlesOf(page))
	require.Nil(t, page.NextCursor)

	resp = env.Do(t, http.MethodGet, base+"/tags", "", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), `"name":"go"`)

	// The public feed needs no token.
	resp = getFeed(t, env, "/feeds/public/"+l.Token+"/rss")
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "noindex", resp.Header.Get("X-Robots-Tag"))
	require.Equal(t, "public, no-cache", resp.Header.Get("Cache-Control"))
	f := parseFeed(t, resp.Body, gofeed.FeedTypeRSS)
	require.Len(t, f.Items, 3)
	require.Equal(t, http.StatusNotModified, getFeed(t, env, "/feeds/public/"+l.Token+"/rss", "If-None-Match", resp.Header.Get("ETag")).Status)

	// The secret is no credential anywhere else.
	require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/collections/"+other.ID.String(), l.Token, nil).Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/members", l.Token, nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base+"/members", "", nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base+"/audit", "", nil).Status)
}

func TestPublicLink_IndexableDropsNoindex(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	l := publish(t, env, u, c.ID.String(), map[string]any{"indexable": true})
	resp := env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token+"/items", "", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Empty(t, resp.Header.Get("X-Robots-Tag"))
}

func TestPublicLink_RevokedAndExpiredAre404(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now().UTC()}
	env := apitest.New(t, apitest.Opts{NowFunc: clk.Now})
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	env.NewItem(t, u, c.ID, item.CreateParams{Title: "One"})
	l := publish(t, env, u, c.ID.String(), nil)
	expiring := publish(t, env, u, c.ID.String(), map[string]any{"expires_at": clk.Now().Add(time.Hour).Format(time.RFC3339)})
	require.NotNil(t, expiring.ExpiresAt)

	var listed struct {
		Items []publicLink `json:"items"`
	}
	resp := env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/public-links", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	resp.JSON(t, &listed)
	require.Len(t, listed.Items, 2)
	require.Empty(t, listed.Items[0].Token, "the secret is never listed")

	resp = env.Do(t, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/public-links", u.Token,
		map[string]any{"expires_at": "2020-01-01T00:00:00Z"})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)

	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token+"/items", "", nil).Status)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, "/api/v1/collections/"+c.ID.String()+"/public-links/"+l.ID, u.Token, nil).Status)
	for _, p := range []string{"", "/items", "/tags", "/search?q=one"} {
		resp := env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token+p, "", nil)
		require.Equal(t, http.StatusNotFound, resp.Status, "revoked: %s", p)
		require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	}
	require.Equal(t, http.StatusNotFound, getFeed(t, env, "/feeds/public/"+l.Token+"/atom").Status)

	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/public/"+expiring.Token, "", nil).Status)
	clk.Advance(time.Hour)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, "/api/v1/public/"+expiring.Token, "", nil).Status, "expired")
	require.Equal(t, http.StatusNotFound, getFeed(t, env, "/feeds/public/"+expiring.Token+"/json").Status, "expired feed")

}

func TestPublicLink_GuessingIs404ThenRateLimited(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.RateLimitPublicPerMinute = 5 }})
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	l := publish(t, env, u, c.ID.String(), nil)
	var statuses []int
	for i := range 5 {
		guess := strings.Repeat(string(rune('A'+i)), 43)
		statuses = append(statuses, env.Do(t, http.MethodGet, "/api/v1/public/"+guess, "", nil).Status)
	}
	require.Equal(t, []int{404, 404, 404, 404, 404}, statuses, "a guess is 404, like a revoked link")
	resp := env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token, "", nil)
	require.Equal(t, http.StatusTooManyRequests, resp.Status, "then the address is limited, even for a real link")
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Equal(t, http.StatusTooManyRequests, getFeed(t, env, "/feeds/public/"+l.Token+"/atom").Status, "public feeds count too")
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String(), u.Token, nil).Status,
		"the signed-in API is not limited by it")
}

func TestPublicSearch_NeverReturnsAnotherCollectionsItems(t *testing.T) {
	t.Parallel()
	env := newSearchEnv(t, nil)
	u := env.NewUser(t)
	shared, private := env.NewCollection(t, u), env.NewCollection(t, u)
	env.NewItem(t, u, shared.ID, item.CreateParams{Title: "Kafka consumer groups", Tags: []string{"kafka"}})
	env.NewItem(t, u, private.ID, item.CreateParams{Title: "Kafka secret plans", Tags: []string{"kafka"}})
	stranger := env.NewUser(t)
	strangers := env.NewCollection(t, stranger)
	env.NewItem(t, stranger, strangers.ID, item.CreateParams{Title: "Kafka elsewhere"})
	env.syncAll(t)
	l := publish(t, env.Env, u, shared.ID.String(), nil)

	for _, q := range []string{"kafka", "", "secret", "elsewhere", "kafka&collection_id=" + private.ID.String()} {
		resp := env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token+"/search?q="+q, "", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var page publicItems
		resp.JSON(t, &page)
		for _, title := range titlesOf(page) {
			require.Equal(t, "Kafka consumer groups", title, "q=%s", q)
		}
	}
	var page publicItems
	env.Do(t, http.MethodGet, "/api/v1/public/"+l.Token+"/search?q=consumer", "", nil).JSON(t, &page)
	require.Equal(t, []string{"Kafka consumer groups"}, titlesOf(page))

	// A saved search as a feed: ?q= over the collection.
	_, secret := newFeedToken(t, env.Env, u)
	resp := getFeed(t, env.Env, "/feeds/collections/"+private.ID.String()+"/json?q=plans&token="+url.QueryEscape(secret))
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	f := parseFeed(t, resp.Body, gofeed.FeedTypeJSON)
	require.Len(t, f.Items, 1)
	require.Equal(t, "Kafka secret plans", f.Items[0].Title)
	require.Contains(t, f.Title, "plans")
}
