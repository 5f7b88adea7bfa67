package search

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// relevanceCorpus indexes a few documents about lighthouses and harbours, page text included, and
// returns them by name.
func relevanceCorpus(t *testing.T) (*Index, uuid.UUID, map[string]Document) {
	t.Helper()
	ix := setup(t)
	coll := uuid.New()
	docs := map[string]Document{
		"phrase": newDoc(coll, docOpts{Title: "Lighthouse keeper diaries", Description: "Notes from a lighthouse keeper on the granite coast."}),
		"both":   newDoc(coll, docOpts{Title: "Keeping a lighthouse", Description: "The keeper and his family lived on the island."}),
		"light":  newDoc(coll, docOpts{Title: "Lighthouse lenses", Description: "Fresnel lenses and how they are ground."}),
		"keeper": newDoc(coll, docOpts{Title: "Zoo keeper handbook", Description: "Feeding schedules for the big cats."}),
		"page":   newDoc(coll, docOpts{Title: "Harbour history", Description: "A town and its port."}),
		"storm":  newDoc(coll, docOpts{Title: "Lighthouse in a storm", Description: "The keeper sounded the fog signal all night."}),
	}
	page := docs["page"]
	page.Content = strings.Repeat("Ships unloaded timber and coal at the quay. ", 200) +
		"In 1871 the harbour master rang the fog signal by hand for three days. " +
		strings.Repeat("Fishermen mended their nets on the slipway. ", 200)
	docs["page"] = page
	all := make([]Document, 0, len(docs))
	for _, d := range docs {
		all = append(all, d)
	}
	require.NoError(t, ix.Upsert(t.Context(), all...))
	return ix, coll, docs
}

func namesOf(res Result, docs map[string]Document) []string {
	byID := map[uuid.UUID]string{}
	for name, d := range docs {
		byID[d.ID] = name
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = byID[h.ID]
	}
	return out
}

func TestSearch_MultiWordQueryReturnsOnlyItemsWithEveryWordPhraseFirst(t *testing.T) {
	t.Parallel()
	ix, coll, docs := relevanceCorpus(t)
	res, err := ix.Search(t.Context(), Params{Query: "lighthouse keeper", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	got := namesOf(res, docs)
	assert.ElementsMatch(t, []string{"phrase", "both", "storm"}, got, "items with only one of the words are left out")
	require.NotEmpty(t, got)
	assert.Equal(t, "phrase", got[0], "the words next to each other, in order, rank first")
	assert.EqualValues(t, 3, res.Total)
	assert.True(t, res.TotalExact)
	assert.False(t, res.AnyWord)
}

func TestSearch_MultiWordQueryFallsBackToAnyWordWhenNoItemHasThemAll(t *testing.T) {
	t.Parallel()
	ix, coll, docs := relevanceCorpus(t)
	res, err := ix.Search(t.Context(), Params{Query: "fresnel cats", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.True(t, res.AnyWord, "no item has both words")
	assert.ElementsMatch(t, []string{"light", "keeper"}, namesOf(res, docs))
}

func TestSearch_TyposMatchByWordLength(t *testing.T) {
	t.Parallel()
	ix, coll, docs := relevanceCorpus(t)
	for q, want := range map[string][]string{
		"ligthhoose lenses":    {"light"},         // two typos allowed from ten letters
		"lihgthoosa":           nil,               // but not three
		"keper zoo":            {"keeper"},        // one typo in five letters; three letters exact
		"fresnal":              {"light"},         // one typo in seven letters
		"zzo":                  nil,               // no typo allowed in three letters
		"timbr quay":           {"page"},          // page text is searched, typos too
		"1872":                 nil,               // numbers match exactly
		"1871":                 {"page"},          // page text is searched
		"coal -timber":         nil,               // the page has both words
		"island -zoo":          {"both"},          // exclusion of something the hit lacks
		`"fog signal"`:         {"page", "storm"}, // phrase in page text and in a description
		`"signal fog"`:         nil,               // a phrase keeps its order
		`fog -"fog signal"`:    nil,               // every fog is a fog signal
		`keeper -"zoo keeper"`: {"phrase", "both", "storm"},
	} {
		res, err := ix.Search(t.Context(), Params{Query: q, CollectionIDs: []uuid.UUID{coll}})
		require.NoError(t, err)
		assert.ElementsMatch(t, want, namesOf(res, docs), "query %q", q)
	}
}

func TestSearch_PageTextIsHighlightedButNotReturned(t *testing.T) {
	t.Parallel()
	ix, coll, docs := relevanceCorpus(t)
	res, err := ix.Search(t.Context(), Params{Query: "harbour master", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	require.Equal(t, []string{"page"}, namesOf(res, docs))
	hit := res.Hits[0]
	assert.Empty(t, hit.Document.Content, "the page text stays in the index")
	require.NotEmpty(t, hit.Highlights["content"])
	assert.Contains(t, hit.Highlights["content"][0], "<mark>harbour</mark> <mark>master</mark>")
	assert.Less(t, len(hit.Highlights["content"][0]), 300, "a snippet, not the page")
}

func TestSearch_TotalIsCappedAndSaysSo(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	coll := uuid.New()
	docs := make([]Document, 0, TotalHitsCap+5)
	for i := range TotalHitsCap + 5 {
		docs = append(docs, newDoc(coll, docOpts{Title: fmt.Sprintf("common word %d", i)}))
	}
	for start := 0; start < len(docs); start += 2000 {
		require.NoError(t, ix.Upsert(t.Context(), docs[start:min(start+2000, len(docs))]...))
	}
	res, err := ix.Search(t.Context(), Params{Query: "common", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.EqualValues(t, TotalHitsCap, res.Total)
	assert.False(t, res.TotalExact, "more match than were counted")

	res, err = ix.Search(t.Context(), Params{Query: "common 17", CollectionIDs: []uuid.UUID{coll}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.Total)
	assert.True(t, res.TotalExact)
}
