package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

// walk follows next_cursor from path until the last page and returns every
// entry in order.
func walk(t *testing.T, env *apitest.Env, token, path string) []map[string]any {
	t.Helper()
	var all []map[string]any
	next := path
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "pagination does not end")
		resp := env.Do(t, http.MethodGet, next, token, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		resp.JSON(t, &page)
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all
		}
		u, err := url.Parse(path)
		require.NoError(t, err)
		q := u.Query()
		q.Set("cursor", *page.NextCursor)
		u.RawQuery = q.Encode()
		next = u.String()
	}
}

func TestItems_CreateNormalisesTagsAndValidates(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	path := "/api/v1/collections/" + c.ID.String() + "/items"

	resp := env.Do(t, http.MethodPost, path, u.Token, map[string]any{
		"title": "The Go Memory Model", "source_url": "https://go.dev/ref/mem", "notes": "read twice",
		"tags": []string{" Go ", "go", "CONCURRENCY", ""},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	it := resp.Map(t)
	require.Equal(t, []any{"concurrency", "go"}, it["tags"])
	require.Equal(t, "https://go.dev/ref/mem", it["source_url"])
	require.Equal(t, map[string]any{}, it["metadata_json"])
	require.EqualValues(t, 1, it["version"])

	for name, body := range map[string]map[string]any{
		"ftp url":      {"title": "x", "source_url": "ftp://example.com/file"},
		"js url":       {"title": "x", "source_url": "javascript:alert(1)"},
		"relative url": {"title": "x", "source_url": "/just/a/path"},
		"blank title":  {"title": "   "},
		"long tag":     {"title": "x", "tags": []string{string(make([]byte, 65))}},
	} {
		t.Run(name, func(t *testing.T) {
			resp := env.Do(t, http.MethodPost, path, u.Token, body)
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
		})
	}
}

func TestItems_UpdateAndDelete(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	it := env.NewItem(t, u, c.ID, item.CreateParams{Title: "Old", SourceURL: "https://example.com", Tags: []string{"a", "b"}})
	path := "/api/v1/items/" + it.ID.String()

	resp := env.Do(t, http.MethodPatch, path, u.Token, map[string]any{"title": "New", "tags": []string{"B", "c"}, "source_url": ""})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	got := resp.Map(t)
	require.Equal(t, "New", got["title"])
	require.Equal(t, []any{"b", "c"}, got["tags"])
	require.Nil(t, got["source_url"], "an empty source_url removes it")
	require.EqualValues(t, 2, got["version"])

	// A PATCH that changes nothing does not bump the version.
	resp = env.Do(t, http.MethodPatch, path, u.Token, map[string]any{"title": "New"})
	require.EqualValues(t, 2, resp.Map(t)["version"])

	var tags struct {
		Items []map[string]any `json:"items"`
	}
	env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/tags", u.Token, nil).JSON(t, &tags)
	require.Equal(t, []map[string]any{{"name": "b", "item_count": float64(1)}, {"name": "c", "item_count": float64(1)}}, tags.Items,
		"tags no item carries are not listed")

	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, path, u.Token, nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, path, u.Token, nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodDelete, path, u.Token, nil).Status)
}

func TestItems_TagFilterNeedsEveryTag(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	both := env.NewItem(t, u, c.ID, item.CreateParams{Tags: []string{"go", "db"}})
	env.NewItem(t, u, c.ID, item.CreateParams{Tags: []string{"go"}})
	env.NewItem(t, u, c.ID, item.CreateParams{Tags: []string{"db"}})
	env.NewItem(t, u, c.ID, item.CreateParams{})

	base := "/api/v1/collections/" + c.ID.String() + "/items"
	require.Len(t, walk(t, env, u.Token, base+"?tag=go"), 2)
	got := walk(t, env, u.Token, base+"?tag=go&tag=DB")
	require.Len(t, got, 1)
	require.Equal(t, both.ID.String(), got[0]["id"])
	require.Empty(t, walk(t, env, u.Token, base+"?tag=nope"))
	require.Len(t, walk(t, env, u.Token, base), 4)
}

func TestItems_CursorIsTamperEvidentAndBoundToItsList(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	for range 3 {
		env.NewItem(t, u, c.ID, item.CreateParams{Tags: []string{"x"}})
	}
	base := "/api/v1/collections/" + c.ID.String() + "/items"
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	env.Do(t, http.MethodGet, base+"?limit=1", u.Token, nil).JSON(t, &page)
	require.NotNil(t, page.NextCursor)
	cur := *page.NextCursor

	flipped := []byte(cur)
	flipped[len(flipped)/2] ^= 0x01
	for name, path := range map[string]string{
		"flipped byte":     base + "?cursor=" + url.QueryEscape(string(flipped)),
		"other tag filter": base + "?tag=x&cursor=" + url.QueryEscape(cur),
		"another list":     "/api/v1/collections?cursor=" + url.QueryEscape(cur),
		"garbage":          base + "?cursor=abc",
	} {
		t.Run(name, func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, path, u.Token, nil)
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		})
	}
	require.Equal(t, http.StatusBadRequest, env.Do(t, http.MethodGet, base+"?limit=101", u.Token, nil).Status)
	require.Equal(t, http.StatusBadRequest, env.Do(t, http.MethodGet, base+"?limit=0", u.Token, nil).Status)

	// Someone who may not read the collection hears that, whatever else is
	// wrong with the request; a member hears what is wrong.
	stranger := env.NewUser(t)
	for _, query := range []string{"?cursor=abc", "?cursor=" + url.QueryEscape(cur), "?tag=" + strings.Repeat("t", item.MaxTagLen+1)} {
		resp := env.Do(t, http.MethodGet, base+query, stranger.Token, nil)
		require.Equal(t, http.StatusNotFound, resp.Status, "%s: %s", query, resp.Body)
	}
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base, stranger.Token, nil).Status)
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, base+"?cursor="+url.QueryEscape(cur), u.Token, nil).Status)
	require.Equal(t, http.StatusUnprocessableEntity, env.Do(t, http.MethodGet, base+"?tag="+strings.Repeat("t", item.MaxTagLen+1), u.Token, nil).Status)
}

func TestItems_PaginationSeesEveryItemOnceWhileInsertsRun(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	initial := map[string]bool{}
	for i := range 120 {
		it := env.NewItem(t, u, c.ID, item.CreateParams{Title: fmt.Sprintf("item %03d", i)})
		initial[it.ID.String()] = true
	}

	// Writers keep inserting while the reader walks the pages.
	ctx, cancel := context.WithCancel(context.Background())
	var inserted atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := env.App.Items.Create(ctx, u.ID, c.ID, item.CreateParams{Title: "concurrent"}); err == nil {
					inserted.Add(1)
				}
			}
		}()
	}
	got := walk(t, env, u.Token, "/api/v1/collections/"+c.ID.String()+"/items?limit=7")
	cancel()
	wg.Wait()
	require.Positive(t, inserted.Load(), "no concurrent inserts happened; the test proves nothing")

	seen := map[string]bool{}
	var prev time.Time
	for i, it := range got {
		id := it["id"].(string)
		require.False(t, seen[id], "item %s returned twice", id)
		seen[id] = true
		at, err := time.Parse(time.RFC3339Nano, it["created_at"].(string))
		require.NoError(t, err)
		if i > 0 {
			require.False(t, at.After(prev), "items out of order at %d", i)
		}
		prev = at
	}
	for id := range initial {
		require.True(t, seen[id], "item %s that existed before the walk was missed", id)
	}
}

// queryCounter counts the statements sent to Postgres.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestItems_PageOf50WithTagsIsNotNPlusOne(t *testing.T) {
	t.Parallel()
	counter := &queryCounter{}
	env := apitest.New(t, apitest.Opts{Tracer: counter})
	u := env.NewUser(t)
	viewer := env.NewUser(t)
	c := env.NewCollection(t, u)
	env.AddMember(t, u, c.ID, viewer, collection.RoleViewer)
	for i := range 60 {
		env.NewItem(t, u, c.ID, item.CreateParams{Tags: []string{"t1", fmt.Sprint("t", i%7), fmt.Sprint("u", i%3)}})
	}
	// The first request checks the viewer's session (one lookup, then
	// remembered for up to 5 s); the listing below is measured after it.
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/auth/me", viewer.Token, nil).Status)
	before := counter.n.Load()
	resp := env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/items?limit=50", viewer.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	resp.JSON(t, &page)
	require.Len(t, page.Items, 50)
	for _, it := range page.Items {
		require.NotEmpty(t, it["tags"])
	}
	// One statement checks membership, one reads the items with their tags.
	require.LessOrEqual(t, counter.n.Load()-before, int64(2), "listing 50 items issued too many queries")
}

// problemLocations returns the locations of a validation problem's errors.
func problemLocations(t *testing.T, resp apitest.Response) []string {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
	return errorLocations(t, resp)
}

func TestItems_ListWithAnOverLongTagPointsAtTheQueryParameter(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	path := "/api/v1/collections/" + c.ID.String() + "/items?" + url.Values{"tag": {strings.Repeat("x", item.MaxTagLen+1)}}.Encode()

	resp := env.Do(t, http.MethodGet, path, u.Token, nil)
	require.Equal(t, []string{"query.tag"}, problemLocations(t, resp))
}
