package search

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip turns a query body into generic JSON so tests compare what is sent on the wire.
func roundTrip(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func sortJSON(t *testing.T, spec string) []any {
	t.Helper()
	var out []any
	require.NoError(t, json.Unmarshal([]byte(spec), &out))
	return out
}

func TestBuildQuery_SortAndOrder(t *testing.T) {
	t.Parallel()
	coll := []uuid.UUID{uuid.New()}
	tests := []struct {
		name  string
		query string
		sort  Sort
		order Order
		want  string
	}{
		{"empty query defaults to newest first", "", SortDefault, OrderDefault,
			`[{"created_at":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"text query defaults to relevance", "go", SortDefault, OrderDefault,
			`[{"_score":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"default sort with explicit asc", "", SortDefault, OrderAsc,
			`[{"created_at":{"order":"asc"}},{"id":{"order":"asc"}}]`},
		{"relevance desc", "go", SortRelevance, OrderDesc,
			`[{"_score":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"relevance asc", "go", SortRelevance, OrderAsc,
			`[{"_score":{"order":"asc"}},{"id":{"order":"asc"}}]`},
		{"relevance on empty query", "", SortRelevance, OrderDefault,
			`[{"_score":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"created_at default", "go", SortCreatedAt, OrderDefault,
			`[{"created_at":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"created_at asc", "", SortCreatedAt, OrderAsc,
			`[{"created_at":{"order":"asc"}},{"id":{"order":"asc"}}]`},
		{"updated_at default", "", SortUpdatedAt, OrderDefault,
			`[{"updated_at":{"order":"desc"}},{"id":{"order":"desc"}}]`},
		{"updated_at asc", "go", SortUpdatedAt, OrderAsc,
			`[{"updated_at":{"order":"asc"}},{"id":{"order":"asc"}}]`},
		{"title default is A to Z", "", SortTitle, OrderDefault,
			`[{"title.sort":{"order":"asc","missing":"_last"}},{"id":{"order":"asc"}}]`},
		{"title desc", "go", SortTitle, OrderDesc,
			`[{"title.sort":{"order":"desc","missing":"_last"}},{"id":{"order":"desc"}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, err := BuildQuery(Params{Query: tt.query, CollectionIDs: coll, Sort: tt.sort, Order: tt.order})
			require.NoError(t, err)
			got := roundTrip(t, body)
			assert.Equal(t, sortJSON(t, tt.want), got["sort"])
		})
	}
}

func TestBuildQuery_Filters(t *testing.T) {
	t.Parallel()
	c1, c2 := uuid.New(), uuid.New()
	tests := []struct {
		name   string
		params Params
		want   string
	}{
		{"collections only", Params{CollectionIDs: []uuid.UUID{c1, c2}},
			`[{"terms":{"collection_id":["` + c1.String() + `","` + c2.String() + `"]}}]`},
		{"every tag is required", Params{CollectionIDs: []uuid.UUID{c1}, Tags: []string{"go", "db"}},
			`[{"terms":{"collection_id":["` + c1.String() + `"]}},{"term":{"tags":"go"}},{"term":{"tags":"db"}}]`},
		{"no collections matches nothing", Params{Tags: []string{"go"}},
			`[{"match_none":{}},{"term":{"tags":"go"}}]`},
		{"empty collection slice matches nothing", Params{CollectionIDs: []uuid.UUID{}, Query: "x"},
			`[{"match_none":{}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, err := BuildQuery(tt.params)
			require.NoError(t, err)
			got := roundTrip(t, body)
			boolQ := got["query"].(map[string]any)["bool"].(map[string]any)
			assert.Equal(t, sortJSON(t, tt.want), boolQ["filter"])
		})
	}
}

func TestBuildQuery_EveryWordMustMatchFuzzilyAndThePhraseBoosts(t *testing.T) {
	t.Parallel()
	body, err := BuildQuery(Params{Query: "kuberntes operator", CollectionIDs: []uuid.UUID{uuid.New()}})
	require.NoError(t, err)
	got := roundTrip(t, body)

	boolQ := got["query"].(map[string]any)["bool"].(map[string]any)
	must := boolQ["must"].([]any)
	require.Len(t, must, 2, "one required clause per word")
	for i, word := range []string{"kuberntes", "operator"} {
		either := must[i].(map[string]any)["bool"].(map[string]any)
		assert.EqualValues(t, 1, either["minimum_should_match"])
		fuzzy := either["should"].([]any)[0].(map[string]any)["multi_match"].(map[string]any)
		assert.Equal(t, word, fuzzy["query"])
		assert.Equal(t, "1", fuzzy["fuzziness"], "four to nine letters: one typo")
		assert.EqualValues(t, 1, fuzzy["prefix_length"], "the first letter must match: it bounds the fuzzy expansion")
		assert.Equal(t, []any{"title^3", "tags.text^2", "description", "notes", "metadata.title", "content"}, fuzzy["fields"])
		exact := either["should"].([]any)[1].(map[string]any)["multi_match"].(map[string]any)
		assert.Equal(t, word, exact["query"])
		assert.NotContains(t, exact, "fuzziness")
		assert.Equal(t, []any{"source_url", "metadata.description", "metadata.site_name"}, exact["fields"])
	}
	should := boolQ["should"].([]any)
	require.Len(t, should, 1)
	phrase := should[0].(map[string]any)["multi_match"].(map[string]any)
	assert.Equal(t, "phrase", phrase["type"])
	assert.Equal(t, "kuberntes operator", phrase["query"])
	assert.EqualValues(t, phraseBoost, phrase["boost"])
	assert.NotContains(t, boolQ, "must_not")

	hl, ok := got["highlight"].(map[string]any)
	require.True(t, ok, "a text query asks for highlights")
	fields := hl["fields"].(map[string]any)
	for _, f := range []string{"title", "description", "notes", "content"} {
		assert.Contains(t, fields, f)
	}
	assert.EqualValues(t, 3, hl["number_of_fragments"])
	assert.Equal(t, "html", hl["encoder"])
	hq := hl["highlight_query"].(map[string]any)["bool"].(map[string]any)["should"].([]any)[0].(map[string]any)["multi_match"].(map[string]any)
	assert.Equal(t, "kuberntes operator", hq["query"])
	assert.Equal(t, []any{"title", "description", "notes", "content"}, hq["fields"], "only the highlighted fields")
	assert.NotContains(t, hq, "fuzziness", "highlights mark the words as typed: a fuzzy highlight is costly")
	assert.Equal(t, map[string]any{"excludes": []any{"content"}}, got["_source"], "page text is never returned whole")
	assert.EqualValues(t, TotalHitsCap, got["track_total_hits"])
}

func TestBuildQuery_AnyWordNeedsOneOfTheWords(t *testing.T) {
	t.Parallel()
	body, err := BuildQuery(Params{Query: "item 4242", CollectionIDs: []uuid.UUID{uuid.New()}, AnyWord: true})
	require.NoError(t, err)
	got := roundTrip(t, body)
	must := got["query"].(map[string]any)["bool"].(map[string]any)["must"].([]any)
	require.Len(t, must, 1)
	inner := must[0].(map[string]any)["bool"].(map[string]any)
	assert.EqualValues(t, 1, inner["minimum_should_match"])
	assert.Len(t, inner["should"], 2)
}

func TestBuildQuery_PhrasesAreRequiredAndExclusionsRefused(t *testing.T) {
	t.Parallel()
	body, err := BuildQuery(Params{Query: `"fog signal" keeper -storm -"salted fish"`, CollectionIDs: []uuid.UUID{uuid.New()}})
	require.NoError(t, err)
	got := roundTrip(t, body)
	boolQ := got["query"].(map[string]any)["bool"].(map[string]any)
	must := boolQ["must"].([]any)
	require.Len(t, must, 2)
	keeper := must[0].(map[string]any)["bool"].(map[string]any)["should"].([]any)[0].(map[string]any)["multi_match"].(map[string]any)
	assert.Equal(t, "keeper", keeper["query"])
	phrase := must[1].(map[string]any)["multi_match"].(map[string]any)
	assert.Equal(t, "fog signal", phrase["query"])
	assert.Equal(t, "phrase", phrase["type"])
	assert.NotContains(t, phrase, "fuzziness", "a phrase matches as written")
	mustNot := boolQ["must_not"].([]any)
	require.Len(t, mustNot, 2)
	assert.Equal(t, "storm", mustNot[0].(map[string]any)["multi_match"].(map[string]any)["query"])
	assert.Equal(t, "salted fish", mustNot[1].(map[string]any)["multi_match"].(map[string]any)["query"])
	assert.NotContains(t, boolQ, "should", "one word: no phrase of the words to boost")
}

func TestParseQueryText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want queryText
	}{
		{"lighthouse keeper", queryText{Words: []string{"lighthouse", "keeper"}}},
		{`"fog  signal" horn`, queryText{Words: []string{"horn"}, Phrases: []string{"fog signal"}}},
		{`"unclosed phrase here`, queryText{Phrases: []string{"unclosed phrase here"}}},
		{`"single"`, queryText{Words: []string{"single"}}},
		{`coast -storm -"salted fish"`, queryText{Words: []string{"coast"}, Excluded: []string{"storm", "salted fish"}}},
		{`well-known - "" x`, queryText{Words: []string{"well-known", "x"}}},
		{"-storm", queryText{Excluded: []string{"storm"}}},
		{"  ", queryText{}},
	} {
		assert.Equal(t, tt.want, parseQueryText(tt.in), "%q", tt.in)
	}
}

func TestFuzzinessFor_GrowsWithWordLength(t *testing.T) {
	t.Parallel()
	for word, want := range map[string]string{"go": "0", "cat": "0", "4242": "0", "v1.2.3": "1", "laod": "1",
		"lighthou": "1", "keeper": "1", "lighthouse": "2", "straße": "1", "kuberntes": "1"} {
		assert.Equal(t, want, fuzzinessFor(word), word)
	}
}

func TestBuildQuery_EmptyQueryIsMatchAllWithoutHighlights(t *testing.T) {
	t.Parallel()
	body, err := BuildQuery(Params{CollectionIDs: []uuid.UUID{uuid.New()}})
	require.NoError(t, err)
	got := roundTrip(t, body)
	must := got["query"].(map[string]any)["bool"].(map[string]any)["must"].([]any)
	assert.Equal(t, []any{map[string]any{"match_all": map[string]any{}}}, must)
	assert.NotContains(t, got, "highlight")
	assert.NotContains(t, got, "search_after")
	assert.EqualValues(t, TotalHitsCap, got["track_total_hits"])
}

func TestBuildQuery_LimitAsksForOneMore(t *testing.T) {
	t.Parallel()
	coll := []uuid.UUID{uuid.New()}
	for _, tt := range []struct{ limit, size int }{{0, DefaultLimit + 1}, {1, 2}, {7, 8}, {MaxLimit, MaxLimit + 1}} {
		body, err := BuildQuery(Params{CollectionIDs: coll, Limit: tt.limit})
		require.NoError(t, err)
		assert.Equal(t, tt.size, body["size"], "limit %d", tt.limit)
	}
}

func TestBuildQuery_SearchAfterIsPassedThrough(t *testing.T) {
	t.Parallel()
	after := []any{json.Number("1735689600000"), "0191f0a4-0000-7000-8000-000000000000"}
	body, err := BuildQuery(Params{CollectionIDs: []uuid.UUID{uuid.New()}, SearchAfter: after})
	require.NoError(t, err)
	got := roundTrip(t, body)
	assert.Equal(t, []any{float64(1735689600000), "0191f0a4-0000-7000-8000-000000000000"}, got["search_after"])
}

func TestBuildQuery_RejectsInvalidParams(t *testing.T) {
	t.Parallel()
	coll := []uuid.UUID{uuid.New()}
	tests := []struct {
		name   string
		params Params
	}{
		{"unknown sort", Params{CollectionIDs: coll, Sort: "popularity"}},
		{"unknown order", Params{CollectionIDs: coll, Order: "sideways"}},
		{"negative limit", Params{CollectionIDs: coll, Limit: -1}},
		{"limit above max", Params{CollectionIDs: coll, Limit: MaxLimit + 1}},
		{"search_after too short", Params{CollectionIDs: coll, SearchAfter: []any{"x"}}},
		{"search_after too long", Params{CollectionIDs: coll, SearchAfter: []any{1, "x", 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := BuildQuery(tt.params)
			require.ErrorIs(t, err, ErrInvalidParams)
		})
	}
}

func TestBuildQuery_ManyCollectionsAreSplitIntoTermsClauses(t *testing.T) {
	t.Parallel()
	ids := make([]uuid.UUID, maxTermsPerClause*2+3)
	for i := range ids {
		ids[i] = uuid.New()
	}
	body, err := BuildQuery(Params{CollectionIDs: ids})
	require.NoError(t, err)
	got := roundTrip(t, body)
	filter := got["query"].(map[string]any)["bool"].(map[string]any)["filter"].([]any)
	require.Len(t, filter, 1)
	inner := filter[0].(map[string]any)["bool"].(map[string]any)
	assert.EqualValues(t, 1, inner["minimum_should_match"])
	should := inner["should"].([]any)
	require.Len(t, should, 3)
	total := 0
	var seen []any
	for _, clause := range should {
		values := clause.(map[string]any)["terms"].(map[string]any)["collection_id"].([]any)
		assert.LessOrEqual(t, len(values), maxTermsPerClause)
		total += len(values)
		seen = append(seen, values...)
	}
	assert.Equal(t, len(ids), total)
	assert.Equal(t, ids[len(ids)-1].String(), seen[len(seen)-1], "every id is kept, in order")
}

func TestBuildQuery_ScoresAreTrackedForTextQueriesSortedByField(t *testing.T) {
	t.Parallel()
	coll := []uuid.UUID{uuid.New()}
	tests := []struct {
		params Params
		want   bool
	}{
		{Params{CollectionIDs: coll, Query: "go", Sort: SortCreatedAt}, true},
		{Params{CollectionIDs: coll, Query: "go", Sort: SortTitle}, true},
		{Params{CollectionIDs: coll, Query: "go"}, false}, // relevance: scores come anyway
		{Params{CollectionIDs: coll, Sort: SortUpdatedAt}, false},
	}
	for _, tt := range tests {
		body, err := BuildQuery(tt.params)
		require.NoError(t, err)
		_, tracked := body["track_scores"]
		assert.Equal(t, tt.want, tracked, "%+v", tt.params)
	}
}
