package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
	"github.com/atlasapp/atlas/testfactory"
)

// searchEnv is the API on a fresh database, searching an Elasticsearch index of its own.
type searchEnv struct {
	*apitest.Env
	index  *search.Index
	syncer *search.Syncer
}

// newSearchEnv serves the API with a search service on ix (a fresh index when nil).
func newSearchEnv(t testing.TB, ix *search.Index) *searchEnv {
	t.Helper()
	if ix == nil {
		ix = searchtest.NewIndex(t, search.RefreshWaitFor)
	}
	env := apitest.New(t).WithSearch(t, ix)
	syncer, err := search.NewSyncer(search.SyncerParams{DB: env.Pool, Index: ix})
	require.NoError(t, err)
	return &searchEnv{Env: env, index: ix, syncer: syncer}
}

// syncAll indexes every item of the database (what the indexer would do from the events).
func (e *searchEnv) syncAll(t testing.TB) {
	t.Helper()
	rows, err := e.Pool.Query(context.Background(), `SELECT id FROM items`)
	require.NoError(t, err)
	var changes []search.Change
	for rows.Next() {
		var id uuid.UUID
		require.NoError(t, rows.Scan(&id))
		changes = append(changes, search.Change{ItemID: id})
	}
	require.NoError(t, rows.Err())
	_, err = e.syncer.Sync(context.Background(), changes)
	require.NoError(t, err)
}

// searchHit is the part of a hit the tests read.
type searchHit struct {
	ID           uuid.UUID           `json:"id"`
	CollectionID uuid.UUID           `json:"collection_id"`
	Title        string              `json:"title"`
	Tags         []string            `json:"tags"`
	SourceURL    *string             `json:"source_url"`
	Version      int64               `json:"version"`
	CreatedAt    time.Time           `json:"created_at"`
	Score        float64             `json:"score"`
	Highlights   map[string][]string `json:"highlights"`
	MetadataJSON map[string]any      `json:"metadata_json"`
}

type searchPage struct {
	Items      []searchHit `json:"items"`
	NextCursor *string     `json:"next_cursor"`
	Total      struct {
		Value    int64  `json:"value"`
		Relation string `json:"relation"`
	} `json:"total"`
	Match string `json:"match"`
}

// search runs GET /api/v1/search/items and returns the status and the decoded page (on 200).
func (e *searchEnv) search(t apitest.T, token string, q url.Values) (int, searchPage) {
	t.Helper()
	resp := e.Do(t, http.MethodGet, "/api/v1/search/items?"+q.Encode(), token, nil)
	var page searchPage
	if resp.Status == http.StatusOK {
		resp.JSON(t, &page)
	}
	return resp.Status, page
}

// searchOK is search that requires a 200.
func (e *searchEnv) searchOK(t apitest.T, token string, q url.Values) searchPage {
	t.Helper()
	status, page := e.search(t, token, q)
	require.Equal(t, http.StatusOK, status, "search %v", q)
	return page
}

// titles lists the hits' titles in order.
func titles(p searchPage) []string {
	out := make([]string, len(p.Items))
	for i, h := range p.Items {
		out[i] = h.Title
	}
	return out
}

// walk follows next_cursor to the end and returns every hit's title in order.
func (e *searchEnv) walk(t testing.TB, token string, q url.Values) []string {
	t.Helper()
	var out []string
	for page := 0; ; page++ {
		require.Less(t, page, 100, "pagination does not end")
		p := e.searchOK(t, token, q)
		out = append(out, titles(p)...)
		if p.NextCursor == nil {
			return out
		}
		q.Set("cursor", *p.NextCursor)
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func values(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return q
}

// outboxEvents returns the envelopes the outbox stored for an entity, in commit order.
func outboxEvents(t testing.TB, env *apitest.Env, entityID uuid.UUID) []events.Envelope {
	t.Helper()
	return testfactory.Envelopes(env.Outbox(t, testfactory.OutboxFilter{EntityID: &entityID}))
}

// searchFixture is a user with items in two collections, indexed.
type searchFixture struct {
	e      *searchEnv
	u      apitest.User
	c1, c2 uuid.UUID
}

func newSearchFixture(t *testing.T) searchFixture {
	t.Helper()
	e := newSearchEnv(t, nil)
	u := e.NewUser(t)
	c1, c2 := e.NewCollection(t, u).ID, e.NewCollection(t, u).ID
	for _, it := range []struct {
		coll        uuid.UUID
		title, desc string
		tags        []string
	}{
		{c1, "Kubernetes operators in Go", "Writing controllers with client-go", []string{"go", "k8s"}},
		{c1, "Postgres indexing", "B-tree and GIN indexes", []string{"db", "postgres"}},
		{c1, "Go and Postgres", "pgx connection pooling", []string{"go", "db"}},
		{c2, "Apache Kafka consumer groups", "Rebalancing and offsets", []string{"kafka"}},
		{c2, "Elasticsearch relevance", "BM25 and fuzzy matching", []string{"search", "db"}},
		{c2, "a lower-case title", "", []string{"misc"}},
	} {
		e.NewItem(t, u, it.coll, item.CreateParams{Title: it.title, Description: it.desc, Tags: it.tags})
	}
	e.syncAll(t)
	return searchFixture{e: e, u: u, c1: c1, c2: c2}
}

func TestSearch_FiltersAndSorts(t *testing.T) {
	t.Parallel()
	f := newSearchFixture(t)
	newestFirst := []string{"a lower-case title", "Elasticsearch relevance", "Apache Kafka consumer groups",
		"Go and Postgres", "Postgres indexing", "Kubernetes operators in Go"}
	tests := []struct {
		name string
		q    url.Values
		want []string
	}{
		{"everything, newest first by default", values(), newestFirst},
		{"created_at ascending", values("sort", "created_at", "order", "asc"), reversed(newestFirst)},
		{"updated_at descending", values("sort", "updated_at"), newestFirst},
		{"title ascending, case-insensitive", values("sort", "title"), []string{"a lower-case title", "Apache Kafka consumer groups",
			"Elasticsearch relevance", "Go and Postgres", "Kubernetes operators in Go", "Postgres indexing"}},
		{"title descending", values("sort", "title", "order", "desc"), []string{"Postgres indexing", "Kubernetes operators in Go",
			"Go and Postgres", "Elasticsearch relevance", "Apache Kafka consumer groups", "a lower-case title"}},
		{"one collection", values("collection_id", f.c2.String()), newestFirst[:3]},
		{"one tag", values("tags", "db"), []string{"Elasticsearch relevance", "Go and Postgres", "Postgres indexing"}},
		{"every tag is required", values("tags", "db", "tags", "go"), []string{"Go and Postgres"}},
		{"tags are normalised", values("tags", " DB ", "tags", "Postgres"), []string{"Postgres indexing"}},
		{"collection and tag", values("collection_id", f.c2.String(), "tags", "db"), []string{"Elasticsearch relevance"}},
		{"text, by relevance", values("q", "postgres"), nil}, // checked as a set below
		{"text sorted by title", values("q", "postgres", "sort", "title"), []string{"Go and Postgres", "Postgres indexing"}},
		{"text within a tag", values("q", "postgres", "tags", "go"), []string{"Go and Postgres"}},
		{"text in descriptions", values("q", "offsets"), []string{"Apache Kafka consumer groups"}},
		{"text in tags", values("q", "k8s"), []string{"Kubernetes operators in Go"}},
		{"nothing matches", values("q", "zeppelin"), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := f.e.searchOK(t, f.u.Token, tt.q)
			got := titles(page)
			if tt.want == nil {
				assert.ElementsMatch(t, []string{"Go and Postgres", "Postgres indexing"}, got)
				for _, h := range page.Items {
					assert.Positive(t, h.Score, "relevance hits carry a score")
				}
				return
			}
			assert.Equal(t, tt.want, got)
			assert.EqualValues(t, len(tt.want), page.Total.Value)
		})
	}
}

func TestSearch_PagesWithSignedCursors(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t, nil)
	u := e.NewUser(t)
	c := e.NewCollection(t, u)
	var want []string
	for i := range 23 {
		title := fmt.Sprintf("note %02d about paging", i)
		e.NewItem(t, u, c.ID, item.CreateParams{Title: title})
		want = append(want, title)
	}
	e.syncAll(t)

	for _, q := range []url.Values{
		values("limit", "5", "sort", "title"),
		values("limit", "4", "sort", "created_at", "order", "asc"),
		values("limit", "7", "q", "paging"), // relevance: equal scores, id tie-breaker
		values("limit", "100"),
	} {
		sorted := q.Get("sort") != ""
		got := e.walk(t, u.Token, q)
		assert.ElementsMatch(t, want, got, "every item exactly once for %v", q)
		if sorted {
			assert.Equal(t, want, got, "in order for %v", q) // titles sort like creation order
		}
	}

	first := e.searchOK(t, u.Token, values("limit", "5", "sort", "title"))
	require.NotNil(t, first.NextCursor)
	cur := *first.NextCursor
	tampered := []byte(cur)
	tampered[3] ^= 1
	for name, q := range map[string]url.Values{
		"tampered cursor":              values("limit", "5", "sort", "title", "cursor", string(tampered)),
		"cursor of another sort":       values("limit", "5", "sort", "created_at", "cursor", cur),
		"cursor of another query":      values("limit", "5", "sort", "title", "q", "note", "cursor", cur),
		"cursor of another filter":     values("limit", "5", "sort", "title", "tags", "x", "cursor", cur),
		"cursor of another order":      values("limit", "5", "sort", "title", "order", "desc", "cursor", cur),
		"cursor of another collection": values("limit", "5", "sort", "title", "collection_id", c.ID.String(), "cursor", cur),
	} {
		status, _ := e.search(t, u.Token, q)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
	other := e.NewUser(t)
	e.AddMember(t, u, c.ID, other, collection.RoleViewer)
	status, _ := e.search(t, other.Token, values("limit", "5", "sort", "title", "cursor", cur))
	assert.Equal(t, http.StatusBadRequest, status, "a cursor is bound to the user it was issued to")

	for name, q := range map[string]url.Values{
		"unknown sort":        values("sort", "popularity"),
		"unknown order":       values("order", "sideways"),
		"limit too large":     values("limit", "101"),
		"collection not uuid": values("collection_id", "nope"),
		"query too long":      values("q", strings.Repeat("x", 501)),
	} {
		status, _ := e.search(t, u.Token, q)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, status, name)
	}
}

func TestSearch_HighlightsAndFuzzyMatching(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t, nil)
	u := e.NewUser(t)
	c := e.NewCollection(t, u)
	e.NewItem(t, u, c.ID, item.CreateParams{Title: "Kubernetes operators", SourceURL: "https://example.com/k8s",
		Notes: "Careful: <script>alert(1)</script> kubernetes reconcilers loop forever"})
	e.NewItem(t, u, c.ID, item.CreateParams{Title: "Unrelated gardening notes"})
	e.syncAll(t)

	page := e.searchOK(t, u.Token, values("q", "kubernetes"))
	require.Len(t, page.Items, 1)
	hit := page.Items[0]
	assert.Positive(t, hit.Score)
	assert.Equal(t, []string{"<mark>Kubernetes</mark> operators"}, hit.Highlights["title"])
	require.NotEmpty(t, hit.Highlights["notes"])
	notes := strings.Join(hit.Highlights["notes"], " ")
	assert.Contains(t, notes, "<mark>kubernetes</mark>")
	assert.Contains(t, notes, "&lt;script&gt;", "fragments are HTML-escaped")
	assert.NotContains(t, notes, "<script>")
	require.NotNil(t, hit.SourceURL)
	assert.Equal(t, "https://example.com/k8s", *hit.SourceURL)

	for _, typo := range []string{"kubernetse", "kuberntes", "Kubernets operator", "opertors"} {
		page := e.searchOK(t, u.Token, values("q", typo))
		assert.Equal(t, []string{"Kubernetes operators"}, titles(page), "typo %q", typo)
	}
	assert.Empty(t, e.searchOK(t, u.Token, values()).Items[0].Highlights, "no highlights without a query")
}

func TestSearch_OnlyTheCallersCollectionsCheckedOnEveryQuery(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t, nil)
	alice, bob, carol := e.NewUser(t), e.NewUser(t), e.NewUser(t)
	ca, cb := e.NewCollection(t, alice), e.NewCollection(t, bob)
	e.NewItem(t, alice, ca.ID, item.CreateParams{Title: "alice secret plan"})
	e.NewItem(t, bob, cb.ID, item.CreateParams{Title: "bob secret plan"})
	e.syncAll(t)

	assert.Equal(t, []string{"bob secret plan"}, titles(e.searchOK(t, bob.Token, values("q", "secret"))))
	assert.Equal(t, []string{"alice secret plan"}, titles(e.searchOK(t, alice.Token, values("q", "secret"))))
	status, _ := e.search(t, bob.Token, values("q", "secret", "collection_id", ca.ID.String()))
	assert.Equal(t, http.StatusNotFound, status, "a collection the caller cannot read is 404")
	status, _ = e.search(t, bob.Token, values("collection_id", uuid.NewString()))
	assert.Equal(t, http.StatusNotFound, status, "an unknown collection is 404 too")
	page := e.searchOK(t, carol.Token, values("q", "secret"))
	assert.Empty(t, page.Items, "a user in no collection sees nothing")
	assert.Nil(t, page.NextCursor)
	status, _ = e.search(t, "", values("q", "secret"))
	assert.Equal(t, http.StatusUnauthorized, status)

	e.AddMember(t, alice, ca.ID, bob, collection.RoleViewer)
	assert.ElementsMatch(t, []string{"alice secret plan", "bob secret plan"}, titles(e.searchOK(t, bob.Token, values("q", "secret"))))
	require.NoError(t, e.App.Collections.RemoveMember(context.Background(), alice.ID, ca.ID, bob.ID))
	// No event needs to reach the index: membership is read from Postgres by the very next query.
	assert.Equal(t, []string{"bob secret plan"}, titles(e.searchOK(t, bob.Token, values("q", "secret"))))
	status, _ = e.search(t, bob.Token, values("collection_id", ca.ID.String()))
	assert.Equal(t, http.StatusNotFound, status)
}

func TestSearch_NoCollectionsAnswersWithoutElasticsearchAndAnOutageIs503(t *testing.T) {
	t.Parallel()
	down, err := search.NewIndex(search.IndexOpts{URLs: []string{"http://127.0.0.1:1"}})
	require.NoError(t, err)
	e := newSearchEnv(t, down)
	loner, member := e.NewUser(t), e.NewUser(t)
	e.NewCollection(t, member)

	page := e.searchOK(t, loner.Token, values("q", "anything"))
	assert.Empty(t, page.Items, "a user in no collection is answered without asking Elasticsearch")
	status, _ := e.search(t, member.Token, values("q", "anything"))
	assert.Equal(t, http.StatusServiceUnavailable, status)
}

func TestSearch_ReindexWithAliasSwapWhileSearchesAndWritesRun(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t, nil)
	u := e.NewUser(t)
	c := e.NewCollection(t, u)
	const n = 120
	for i := range n {
		e.NewItem(t, u, c.ID, item.CreateParams{Title: fmt.Sprintf("steady item %03d", i), Tags: []string{"steady"}})
	}
	e.syncAll(t)

	// Another process's indexer: its own Index value on the same alias, so only Elasticsearch
	// (the building alias) can tell it that a rebuild is running.
	otherOpts := searchtest.Options(e.index.Alias())
	otherOpts.Refresh = search.RefreshWaitFor
	other, err := search.NewIndex(otherOpts)
	require.NoError(t, err)
	t.Cleanup(other.Close)
	otherSyncer, err := search.NewSyncer(search.SyncerParams{DB: e.Pool, Index: other})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	var (
		searches, writes atomic.Int64
		mu               sync.Mutex
		failures         []string
		wg               sync.WaitGroup
		added            []string
	)
	fail := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 5 {
			failures = append(failures, s)
		}
	}
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				status, page := e.search(t, u.Token, values("tags", "steady", "limit", "100"))
				searches.Add(1)
				if status != http.StatusOK {
					fail(fmt.Sprintf("status %d", status))
				} else if page.Total.Value < n {
					fail(fmt.Sprintf("total %d < %d", page.Total.Value, n))
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			title := fmt.Sprintf("added during reindex %d", i)
			it, err := e.App.Items.Create(context.Background(), u.ID, c.ID, item.CreateParams{Title: title})
			if err != nil {
				fail(err.Error())
				return
			}
			if err := otherSyncer.SyncItem(context.Background(), it.ID); err != nil {
				fail(err.Error())
				return
			}
			mu.Lock()
			added = append(added, title)
			mu.Unlock()
			writes.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	})

	for round := range 2 {
		start := searches.Load()
		loaded, err := e.syncer.Rebuild(context.Background())
		require.NoError(t, err, "rebuild %d", round)
		assert.GreaterOrEqual(t, loaded, n)
		require.Eventually(t, func() bool { return searches.Load() > start+3 }, 10*time.Second, 5*time.Millisecond, "searches ran after the swap")
	}
	cancel()
	wg.Wait()

	assert.Empty(t, failures, "no search may fail or miss documents during a reindex")
	assert.Greater(t, writes.Load(), int64(0), "writes ran during the reindex")
	got := e.walk(t, u.Token, values("q", "added during reindex", "limit", "100"))
	for _, title := range added {
		assert.Contains(t, got, title, "an item written during the reindex is in the new index")
	}
}

func TestSearch_InvalidQueryParametersArePointedAtInTheQuery(t *testing.T) {
	t.Parallel()
	down, err := search.NewIndex(search.IndexOpts{URLs: []string{"http://127.0.0.1:1"}})
	require.NoError(t, err)
	e := newSearchEnv(t, down)
	u := e.NewUser(t)
	e.NewCollection(t, u)

	// 300 characters pass the schema's maxLength but are 600 bytes, over search.MaxQueryLen.
	long := strings.Repeat("é", 300)
	resp := e.Do(t, http.MethodGet, "/api/v1/search/items?"+values("q", long).Encode(), u.Token, nil)
	require.Equal(t, []string{"query.q"}, problemLocations(t, resp))

	resp = e.Do(t, http.MethodGet, "/api/v1/search/items?"+values("tags", strings.Repeat("x", item.MaxTagLen+1)).Encode(), u.Token, nil)
	require.Equal(t, []string{"query.tags"}, problemLocations(t, resp))
}
