package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReady_UnreachableFails(t *testing.T) {
	t.Parallel()
	ix, err := NewIndex(IndexOpts{URLs: []string{"http://127.0.0.1:1"}})
	require.NoError(t, err)
	require.Error(t, ix.Ready(t.Context()))
}

func TestNewIndex_RejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, opts := range []IndexOpts{
		{Alias: "Upper"},
		{Alias: "with space"},
		{Refresh: "sometimes"},
		{Replicas: -1},
	} {
		_, err := NewIndex(opts)
		assert.Error(t, err, "%+v", opts)
	}
}

func TestEnsureIndex_ConcurrentCallsCreateOneIndex(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	require.NoError(t, ix.DeleteIndices(t.Context())) // start from nothing

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = ix.EnsureIndex(t.Context()) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	indices, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{ix.Alias() + "-v1"}, indices)
	require.NoError(t, ix.EnsureIndex(t.Context()), "a second call is a no-op")
}

func TestUpsert_ThenDelete(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	doc := newDoc(coll, docOpts{Title: "Postgres internals", Tags: []string{"db"}, SourceURL: "https://example.com/pg"})
	require.NoError(t, ix.Upsert(t.Context(), doc))

	res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	require.Len(t, res.Hits, 1)
	got := res.Hits[0]
	assert.Equal(t, doc.ID, got.ID)
	assert.Equal(t, coll, got.CollectionID)
	assert.Equal(t, doc.Title, got.Document.Title)
	assert.Equal(t, doc.Tags, got.Document.Tags)
	assert.Equal(t, doc.Metadata, got.Document.Metadata)
	assert.True(t, doc.CreatedAt.Equal(got.Document.CreatedAt))
	assert.Equal(t, doc.Version, got.Document.Version)
	assert.EqualValues(t, 1, res.Total)

	require.NoError(t, ix.Delete(t.Context(), doc.ID, doc.Version+1))
	res, err = ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.Empty(t, res.Hits)

	require.NoError(t, ix.Delete(t.Context(), doc.ID, doc.Version+2), "deleting a missing document succeeds")
	require.NoError(t, ix.Delete(t.Context(), uuid.New(), 1), "deleting an unknown document succeeds")
}

func TestUpsert_ExternalVersionNeverRollsBack(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	id := uuid.New()
	v1 := newDoc(coll, docOpts{ID: id, Title: "first title", Version: 1})
	v2 := newDoc(coll, docOpts{ID: id, Title: "second title", Version: 2})
	v3 := newDoc(coll, docOpts{ID: id, Title: "third title", Version: 3})

	stored := func() Document {
		t.Helper()
		res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
		require.NoError(t, err)
		require.Len(t, res.Hits, 1)
		return res.Hits[0].Document
	}

	require.NoError(t, ix.Upsert(t.Context(), v2))
	require.NoError(t, ix.Upsert(t.Context(), v1), "an older version is not an error")
	assert.Equal(t, "second title", stored().Title, "an older version must not overwrite a newer one")

	require.NoError(t, ix.Upsert(t.Context(), v2), "replaying the same version is harmless")
	assert.Equal(t, int64(2), stored().Version)

	require.NoError(t, ix.Upsert(t.Context(), v3, v1, v2), "a batch with stale versions succeeds")
	assert.Equal(t, "third title", stored().Title)

	require.NoError(t, ix.Delete(t.Context(), id, 2), "a stale delete is not an error")
	assert.Equal(t, "third title", stored().Title, "a stale delete must not remove a newer version")
}

func TestUpsert_ItemFailuresAreReturned(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	good := newDoc(coll, docOpts{Title: "fine"})
	// A keyword longer than Lucene's 32766-byte term limit is rejected by Elasticsearch.
	bad := newDoc(coll, docOpts{Title: "broken", Tags: []string{strings.Repeat("x", 40000)}})

	err := ix.Upsert(t.Context(), good, bad)
	var bulkErr *BulkError
	require.ErrorAs(t, err, &bulkErr)
	require.Len(t, bulkErr.Items, 1)
	assert.Equal(t, bad.ID.String(), bulkErr.Items[0].ID)
	assert.Equal(t, 400, bulkErr.Items[0].Status)

	res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{good.ID}, hitIDs(res), "the valid document of the batch is indexed")
}

func TestUpsert_MissingAliasFailsInsteadOfCreatingAnIndex(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	require.NoError(t, ix.DeleteIndices(t.Context()))
	err := ix.Upsert(t.Context(), newDoc(uuid.New(), docOpts{}))
	require.Error(t, err)
	indices, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)
	assert.Empty(t, indices)
}

func TestDeleteByCollection_RemovesOnlyThatCollection(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	gone, kept := uuid.New(), uuid.New()
	docs := []Document{
		newDoc(gone, docOpts{}), newDoc(gone, docOpts{}), newDoc(kept, docOpts{}),
	}
	require.NoError(t, ix.Upsert(t.Context(), docs...))
	require.NoError(t, ix.DeleteByCollection(t.Context(), gone))

	res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{gone, kept}})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{docs[2].ID}, hitIDs(res))
}

func TestSearch_FiltersByCollectionsAndAllTags(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	c1, c2, c3 := uuid.New(), uuid.New(), uuid.New()
	goDB := newDoc(c1, docOpts{Title: "go and db", Tags: []string{"go", "db"}})
	goOnly := newDoc(c1, docOpts{Title: "go only", Tags: []string{"go"}})
	goDBc2 := newDoc(c2, docOpts{Title: "go and db too", Tags: []string{"db", "go", "x"}})
	goDBc3 := newDoc(c3, docOpts{Title: "go and db elsewhere", Tags: []string{"go", "db"}})
	require.NoError(t, ix.Upsert(t.Context(), goDB, goOnly, goDBc2, goDBc3))

	tests := []struct {
		name   string
		params Params
		want   []uuid.UUID
	}{
		{"one collection", Params{CollectionIDs: []uuid.UUID{c1}}, []uuid.UUID{goDB.ID, goOnly.ID}},
		{"two collections", Params{CollectionIDs: []uuid.UUID{c1, c2}}, []uuid.UUID{goDB.ID, goOnly.ID, goDBc2.ID}},
		{"one tag", Params{CollectionIDs: []uuid.UUID{c1, c2}, Tags: []string{"go"}}, []uuid.UUID{goDB.ID, goOnly.ID, goDBc2.ID}},
		{"all tags must match", Params{CollectionIDs: []uuid.UUID{c1, c2}, Tags: []string{"go", "db"}}, []uuid.UUID{goDB.ID, goDBc2.ID}},
		{"tags are case-insensitive", Params{CollectionIDs: []uuid.UUID{c1}, Tags: []string{"GO", "Db"}}, []uuid.UUID{goDB.ID}},
		{"tag nobody has", Params{CollectionIDs: []uuid.UUID{c1, c2}, Tags: []string{"go", "nope"}}, nil},
		{"text and tags", Params{Query: "only", CollectionIDs: []uuid.UUID{c1, c2}, Tags: []string{"go"}}, []uuid.UUID{goOnly.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := ix.Search(t.Context(), tt.params)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, hitIDs(res))
			assert.EqualValues(t, len(tt.want), res.Total)
		})
	}
}

func TestSearch_NeverReturnsOtherCollections(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	mine, theirs := uuid.New(), uuid.New()
	own := newDoc(mine, docOpts{Title: "kubernetes notes", Tags: []string{"k8s"}})
	var foreign []Document
	for i := range 5 {
		foreign = append(foreign, newDoc(theirs, docOpts{Title: fmt.Sprintf("kubernetes secret %d", i), Tags: []string{"k8s"}}))
	}
	require.NoError(t, ix.Upsert(t.Context(), append(foreign, own)...))

	for _, p := range []Params{
		{Query: "kubernetes", CollectionIDs: []uuid.UUID{mine}},
		{Query: "secret", CollectionIDs: []uuid.UUID{mine}},
		{CollectionIDs: []uuid.UUID{mine}, Tags: []string{"k8s"}},
		{CollectionIDs: []uuid.UUID{mine}, Sort: SortTitle, Limit: 100},
	} {
		res, err := ix.Search(t.Context(), p)
		require.NoError(t, err)
		for _, h := range res.Hits {
			assert.Equal(t, mine, h.CollectionID, "query %+v returned a document of another collection", p)
		}
	}

	for _, colls := range [][]uuid.UUID{nil, {}} {
		res, err := ix.Search(t.Context(), Params{Query: "kubernetes", CollectionIDs: colls})
		require.NoError(t, err)
		assert.Empty(t, res.Hits, "no collections must match nothing")
		assert.Zero(t, res.Total)
		res, err = ix.Search(t.Context(), Params{CollectionIDs: colls})
		require.NoError(t, err)
		assert.Empty(t, res.Hits, "no collections must match nothing, even without a query")
	}
}

func TestSearch_EachSortAndOrder(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// Creation order, update order and title order all differ.
	a := newDoc(coll, docOpts{Title: "banana kubernetes", CreatedAt: base, UpdatedAt: base.Add(3 * time.Hour)})
	b := newDoc(coll, docOpts{Title: "Apple", Description: "kubernetes", CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour)})
	c := newDoc(coll, docOpts{Title: "cherry", CreatedAt: base.Add(2 * time.Hour), UpdatedAt: base.Add(2 * time.Hour)})
	require.NoError(t, ix.Upsert(t.Context(), a, b, c))

	tests := []struct {
		query string
		sort  Sort
		order Order
		want  []uuid.UUID
	}{
		{"", SortDefault, OrderDefault, []uuid.UUID{c.ID, b.ID, a.ID}},
		{"", SortCreatedAt, OrderDesc, []uuid.UUID{c.ID, b.ID, a.ID}},
		{"", SortCreatedAt, OrderAsc, []uuid.UUID{a.ID, b.ID, c.ID}},
		{"", SortUpdatedAt, OrderDesc, []uuid.UUID{a.ID, c.ID, b.ID}},
		{"", SortUpdatedAt, OrderAsc, []uuid.UUID{b.ID, c.ID, a.ID}},
		{"", SortTitle, OrderDefault, []uuid.UUID{b.ID, a.ID, c.ID}},
		{"", SortTitle, OrderAsc, []uuid.UUID{b.ID, a.ID, c.ID}},
		{"", SortTitle, OrderDesc, []uuid.UUID{c.ID, a.ID, b.ID}},
		// The title match (boost 3) outranks the description match.
		{"kubernetes", SortDefault, OrderDefault, []uuid.UUID{a.ID, b.ID}},
		{"kubernetes", SortRelevance, OrderDesc, []uuid.UUID{a.ID, b.ID}},
		{"kubernetes", SortRelevance, OrderAsc, []uuid.UUID{b.ID, a.ID}},
		{"kubernetes", SortCreatedAt, OrderDesc, []uuid.UUID{b.ID, a.ID}},
		{"kubernetes", SortTitle, OrderAsc, []uuid.UUID{b.ID, a.ID}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%s/%s", tt.query, tt.sort, tt.order), func(t *testing.T) {
			t.Parallel()
			res, err := ix.Search(t.Context(), Params{Query: tt.query, CollectionIDs: []uuid.UUID{coll}, Sort: tt.sort, Order: tt.order})
			require.NoError(t, err)
			assert.Equal(t, tt.want, hitIDs(res))
			if tt.sort == SortRelevance || (tt.sort == SortDefault && tt.query != "") {
				for _, h := range res.Hits {
					assert.Positive(t, h.Score, "relevance hits carry a score")
				}
			}
		})
	}
}

func TestSearch_SearchAfterWalksEveryPageOnce(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var docs []Document
	for i := range 23 {
		// Groups of equal timestamps and titles force the id tie-breaker to do its job.
		docs = append(docs, newDoc(coll, docOpts{
			Title:     fmt.Sprintf("Title %d", i%4),
			CreatedAt: base.Add(time.Duration(i/3) * time.Minute),
			UpdatedAt: base.Add(time.Duration(i%5) * time.Minute),
			Tags:      []string{"page"},
		}))
	}
	other := newDoc(uuid.New(), docOpts{Tags: []string{"page"}})
	require.NoError(t, ix.Upsert(t.Context(), append(docs, other)...))
	all := docIDs(docs)

	for _, sort := range []Sort{SortRelevance, SortCreatedAt, SortUpdatedAt, SortTitle} {
		for _, order := range []Order{OrderAsc, OrderDesc} {
			for _, query := range []string{"", "title"} {
				t.Run(fmt.Sprintf("%s/%s/%q", sort, order, query), func(t *testing.T) {
					t.Parallel()
					p := Params{Query: query, CollectionIDs: []uuid.UUID{coll}, Sort: sort, Order: order, Limit: 5}
					var seen []uuid.UUID
					pages := 0
					for {
						res, err := ix.Search(t.Context(), p)
						require.NoError(t, err)
						pages++
						require.LessOrEqual(t, pages, 5, "23 documents fit in 5 pages of 5")
						assert.EqualValues(t, len(all), res.Total)
						seen = append(seen, hitIDs(res)...)
						if res.NextSearchAfter == nil {
							assert.Len(t, res.Hits, 3, "the last page holds the remainder")
							break
						}
						require.Len(t, res.Hits, 5)
						// The cursor travels through JSON, as it does through the API.
						raw, err := json.Marshal(res.NextSearchAfter)
						require.NoError(t, err)
						p.SearchAfter = nil
						require.NoError(t, json.Unmarshal(raw, &p.SearchAfter))
					}
					assert.Equal(t, 5, pages)
					assert.Len(t, seen, len(all), "every document exactly once")
					assert.ElementsMatch(t, all, seen)

					// Walking in one big page gives the same order.
					p.SearchAfter, p.Limit = nil, 100
					res, err := ix.Search(t.Context(), p)
					require.NoError(t, err)
					assert.Equal(t, hitIDs(res), seen)
					assert.Nil(t, res.NextSearchAfter)
				})
			}
		}
	}
}

func TestSearch_HighlightsMatches(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	doc := newDoc(coll, docOpts{
		Title:       "Operating Kubernetes clusters",
		Description: "A long description. " + strings.Repeat("Filler words that do not match. ", 20) + "Here kubernetes appears again, near <the> end.",
		Notes:       "My notes about kubernetes upgrades.",
	})
	require.NoError(t, ix.Upsert(t.Context(), doc))

	res, err := ix.Search(t.Context(), Params{Query: "kubernetes", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	require.Len(t, res.Hits, 1)
	hl := res.Hits[0].Highlights
	assert.Equal(t, []string{"Operating <mark>Kubernetes</mark> clusters"}, hl["title"])
	require.NotEmpty(t, hl["description"])
	for _, frag := range hl["description"] {
		assert.Contains(t, frag, "<mark>kubernetes</mark>")
		assert.Less(t, len(frag), 250, "description fragments are short")
		assert.NotContains(t, frag, "<the>", "fragments are HTML-escaped")
	}
	assert.Equal(t, []string{"My notes about <mark>kubernetes</mark> upgrades."}, hl["notes"])

	res, err = ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	require.Len(t, res.Hits, 1)
	assert.Empty(t, res.Hits[0].Highlights, "no query, no highlights")
}

func TestSearch_FuzzyMatchFindsMisspelledWords(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	k8s := newDoc(coll, docOpts{Title: "Kubernetes the hard way"})
	pg := newDoc(coll, docOpts{Title: "Postgres", Notes: "replication and vacuum"})
	tagged := newDoc(coll, docOpts{Title: "Unrelated", Tags: []string{"observability"}})
	site := newDoc(coll, docOpts{Title: "Another", SourceURL: "https://grafana.example.com/dashboards"})
	require.NoError(t, ix.Upsert(t.Context(), k8s, pg, tagged, site))

	for _, tt := range []struct {
		query string
		want  uuid.UUID
	}{
		{"kuberntes", k8s.ID},
		{"Kubernets", k8s.ID},
		{"replicaton", pg.ID},
		{"observabilty", tagged.ID},
		{"dashboards", site.ID},
	} {
		res, err := ix.Search(t.Context(), Params{Query: tt.query, CollectionIDs: []uuid.UUID{coll}})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{tt.want}, hitIDs(res), "query %q", tt.query)
	}
}

func TestRebuild_SwapsAliasWhileSearchesKeepWorking(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	const n = 60
	docs := make([]Document, n)
	for i := range docs {
		docs[i] = newDoc(coll, docOpts{Title: titleN(i)})
	}
	require.NoError(t, ix.Upsert(t.Context(), docs...))
	before, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)
	want := docIDs(docs)

	ctx, cancel := context.WithCancel(t.Context())
	var (
		searches      atomic.Int64
		mu            sync.Mutex
		failures      int
		firstFailures []string
		wg            sync.WaitGroup
	)
	for range 2 {
		wg.Go(func() {
			for ctx.Err() == nil {
				res, err := ix.Search(ctx, Params{CollectionIDs: []uuid.UUID{coll}, Limit: 100})
				if ctx.Err() != nil {
					return
				}
				searches.Add(1)
				var problem string
				switch {
				case err != nil:
					problem = err.Error()
				case len(res.Hits) != n || res.Total != n:
					problem = fmt.Sprintf("got %d hits (total %d), want %d", len(res.Hits), res.Total, n)
				case !assert.ObjectsAreEqual(sortedIDs(hitIDs(res)), sortedIDs(want)):
					problem = "result set differs"
				}
				if problem != "" {
					mu.Lock()
					failures++
					if len(firstFailures) < 3 {
						firstFailures = append(firstFailures, problem)
					}
					mu.Unlock()
				}
			}
		})
	}

	// The feed writes version 2 of every document, with a new title, in small batches.
	feed := func(ctx context.Context, emit func(...Document) error) error {
		for i := 0; i < n; i += 7 {
			var batch []Document
			for _, d := range docs[i:min(i+7, n)] {
				d.Title = "rebuilt " + d.Title
				d.Version = 2
				batch = append(batch, d)
			}
			if err := emit(batch...); err != nil {
				return err
			}
		}
		return nil
	}
	for round := range 3 {
		start := searches.Load()
		require.NoError(t, ix.Rebuild(t.Context(), feed), "rebuild %d", round)
		// Let the searchers observe the swapped index before the next round or the end.
		require.Eventually(t, func() bool { return searches.Load() >= start+5 }, 10*time.Second, 5*time.Millisecond)
	}
	cancel()
	wg.Wait()

	assert.Zero(t, failures, "searches must not fail or miss documents during a rebuild; first failures: %v", firstFailures)
	assert.Greater(t, searches.Load(), int64(10), "searches ran during the rebuilds")

	after, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)
	require.Len(t, after, 1)
	assert.NotEqual(t, before, after)
	assert.True(t, strings.HasPrefix(after[0], ix.Alias()+"-"), "concrete index %s is named after the alias", after[0])
	assertIndexGone(t, ix, before[0])

	res, err := ix.Search(t.Context(), Params{Query: "rebuilt", CollectionIDs: []uuid.UUID{coll}, Limit: 100})
	require.NoError(t, err)
	assert.Len(t, res.Hits, n, "the alias serves the rebuilt documents")
}

func TestRebuild_WritesDuringRebuildReachTheNewIndex(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	kept := newDoc(coll, docOpts{Title: "kept"})
	deleted := newDoc(coll, docOpts{Title: "deleted meanwhile"})
	added := newDoc(coll, docOpts{Title: "added meanwhile"})
	require.NoError(t, ix.Upsert(t.Context(), kept, deleted))

	feed := func(ctx context.Context, emit func(...Document) error) error {
		// The feed read its snapshot first, then these writes happened while loading.
		require.NoError(t, ix.Upsert(ctx, added))
		require.NoError(t, ix.Delete(ctx, deleted.ID, deleted.Version+1))
		return emit(kept, deleted)
	}
	require.NoError(t, ix.Rebuild(t.Context(), feed))

	res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.ElementsMatch(t, []uuid.UUID{kept.ID, added.ID}, hitIDs(res))
}

func TestRebuild_FeedErrorKeepsTheOldIndex(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	doc := newDoc(coll, docOpts{})
	require.NoError(t, ix.Upsert(t.Context(), doc))
	before, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)

	boom := errors.New("postgres went away")
	err = ix.Rebuild(t.Context(), func(ctx context.Context, emit func(...Document) error) error {
		if err := emit(newDoc(coll, docOpts{})); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)

	after, err := ix.aliasIndices(t.Context())
	require.NoError(t, err)
	assert.Equal(t, before, after)
	res, err := ix.Search(t.Context(), Params{CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{doc.ID}, hitIDs(res))

	var indices map[string]json.RawMessage
	require.NoError(t, ix.do(t.Context(), esapi.IndicesGetRequest{Index: []string{ix.Alias() + "-*"}}, &indices))
	assert.Len(t, indices, 1, "the half-built index is removed")
	require.NoError(t, ix.Upsert(t.Context(), newDoc(coll, docOpts{})), "writes still work after a failed rebuild")
}

// assertIndexGone checks that a concrete index no longer exists.
func assertIndexGone(t *testing.T, ix *Index, name string) {
	t.Helper()
	res, err := esapi.IndicesExistsRequest{Index: []string{name}}.Do(t.Context(), ix.es)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 404, res.StatusCode, "index %s should be deleted", name)
}

func sortedIDs(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	slices.Sort(out)
	return out
}

func TestDelete_MissingAliasFailsInsteadOfCreatingAnIndex(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	require.NoError(t, ix.DeleteIndices(t.Context()))
	require.ErrorIs(t, ix.Delete(t.Context(), uuid.New(), 3), ErrNoIndex)
	res, err := esapi.IndicesExistsRequest{Index: []string{ix.Alias()}}.Do(t.Context(), ix.es)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 404, res.StatusCode, "no index may be created under the alias name")
	require.NoError(t, ix.EnsureIndex(t.Context()), "the alias can still be created")
}
