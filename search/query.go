package search

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Sort is the order in which search results are returned.
type Sort string

const (
	// SortDefault is relevance for a text query and SortCreatedAt for an empty one.
	SortDefault Sort = ""
	// SortRelevance orders by score, best first by default.
	SortRelevance Sort = "relevance"
	// SortCreatedAt orders by creation time, newest first by default.
	SortCreatedAt Sort = "created_at"
	// SortUpdatedAt orders by last change, newest first by default.
	SortUpdatedAt Sort = "updated_at"
	// SortTitle orders by title, case-insensitively, A to Z by default.
	SortTitle Sort = "title"
)

// Order is the direction of a sort.
type Order string

const (
	// OrderDefault is descending for relevance and times, ascending for title.
	OrderDefault Order = ""
	// OrderAsc sorts smallest first.
	OrderAsc Order = "asc"
	// OrderDesc sorts largest first.
	OrderDesc Order = "desc"
)

// DefaultLimit is the page size used when Params.Limit is zero.
const DefaultLimit = 20

// MaxLimit is the largest page size accepted.
const MaxLimit = 100

// Params describes one page of a search.
type Params struct {
	// Query is the user's text; empty matches every document the caller may see.
	Query string
	// CollectionIDs are the collections the caller belongs to, resolved by the server. Only their
	// documents are returned; an empty list matches nothing.
	CollectionIDs []uuid.UUID
	// Tags restricts results to documents that have all of these tags.
	Tags []string
	// Sort is the result order; see SortDefault.
	Sort Sort
	// Order is the sort direction; see OrderDefault.
	Order Order
	// SearchAfter is Result.NextSearchAfter of the previous page; nil for the first page.
	SearchAfter []any
	// Limit is the page size, 1..MaxLimit; 0 means DefaultLimit.
	Limit int
	// AnyWord relaxes a query of several words from "every word" to "at least one word"
	// (phrases and exclusions still apply). Index.Search uses it when no item has every word.
	AnyWord bool
}

// TotalHitsCap is how far Elasticsearch counts matches. Past it, a result's total says "at least
// this many" (Result.TotalExact is false): counting every match of a common word would cost more
// than finding the best ones.
const TotalHitsCap = 10000

// searchFields are the fields a text query looks in, with their boosts.
var searchFields = append(slices.Clone(fuzzyFields), exactFields...)

// fuzzyFields are the fields where a word matches with typos: what people write and read.
var fuzzyFields = []string{"title^3", "tags.text^2", "description", "notes", "metadata.title", "content"}

// exactFields are the fields where a word matches only as written: the URL and short metadata,
// where a typo match is rarely what anyone meant, and where each fuzzy field would cost one more
// typo automaton per word.
var exactFields = []string{"source_url", "metadata.description", "metadata.site_name"}

// phraseFields are the fields a phrase (quoted, or all the words in order) is looked for in.
var phraseFields = []string{"title^3", "description", "notes", "metadata.title", "metadata.description", "content"}

// highlightFields are the fields whose matching fragments are returned with each hit.
var highlightFields = []string{"title", "description", "notes", "content"}

// phraseBoost weighs a match of all the query's words in order, on top of the words' own scores.
const phraseBoost = 2

// resolved returns the effective sort, order and limit of p, or an error wrapping ErrInvalidParams.
func (p Params) resolved() (Sort, Order, int, error) {
	sort := p.Sort
	if sort == SortDefault {
		sort = SortRelevance
		if p.Query == "" {
			sort = SortCreatedAt
		}
	}
	order := p.Order
	switch sort {
	case SortRelevance, SortCreatedAt, SortUpdatedAt:
		if order == OrderDefault {
			order = OrderDesc
		}
	case SortTitle:
		if order == OrderDefault {
			order = OrderAsc
		}
	default:
		return "", "", 0, fmt.Errorf("%w: unknown sort %q", ErrInvalidParams, p.Sort)
	}
	if order != OrderAsc && order != OrderDesc {
		return "", "", 0, fmt.Errorf("%w: unknown order %q", ErrInvalidParams, p.Order)
	}
	limit := p.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return "", "", 0, fmt.Errorf("%w: limit %d outside 1..%d", ErrInvalidParams, p.Limit, MaxLimit)
	}
	return sort, order, limit, nil
}

// sortClause returns the Elasticsearch sort for s and o, always ending with the id tie-breaker so
// that search_after pages are stable.
func sortClause(s Sort, o Order) []any {
	dir := string(o)
	tieBreaker := map[string]any{"id": map[string]any{"order": dir}}
	switch s {
	case SortRelevance:
		return []any{
			map[string]any{"_score": map[string]any{"order": dir}},
			tieBreaker,
		}
	case SortTitle:
		return []any{
			map[string]any{"title.sort": map[string]any{"order": dir, "missing": "_last"}},
			tieBreaker,
		}
	default: // created_at, updated_at
		return []any{
			map[string]any{string(s): map[string]any{"order": dir}},
			tieBreaker,
		}
	}
}

// BuildQuery returns the search request body for p (without I/O). The body asks for one document
// more than the page size so the caller can tell whether another page exists.
func BuildQuery(p Params) (map[string]any, error) {
	sort, order, limit, err := p.resolved()
	if err != nil {
		return nil, err
	}
	sortSpec := sortClause(sort, order)
	if len(p.SearchAfter) > 0 && len(p.SearchAfter) != len(sortSpec) {
		return nil, fmt.Errorf("%w: search_after has %d values, sort %q needs %d", ErrInvalidParams, len(p.SearchAfter), sort, len(sortSpec))
	}

	var filters []any
	if len(p.CollectionIDs) == 0 {
		// No collections means no access: match nothing rather than everything.
		filters = append(filters, map[string]any{"match_none": map[string]any{}})
	} else {
		filters = append(filters, collectionFilter(p.CollectionIDs))
	}
	for _, tag := range p.Tags {
		filters = append(filters, map[string]any{"term": map[string]any{"tags": tag}})
	}

	qt := parseQueryText(p.Query)
	if len(qt.LinkStatuses) > 0 {
		filters = append(filters, map[string]any{"terms": map[string]any{"link_status": qt.LinkStatuses}})
	}
	boolQuery := textQuery(qt, p.AnyWord)
	boolQuery["filter"] = filters
	body := map[string]any{
		"query":            map[string]any{"bool": boolQuery},
		"sort":             sortSpec,
		"size":             limit + 1,
		"track_total_hits": TotalHitsCap,
		// The page text is searched and highlighted but never sent whole.
		"_source": map[string]any{"excludes": []string{"content"}},
	}
	if len(p.SearchAfter) > 0 {
		body["search_after"] = p.SearchAfter
	}
	if !qt.empty() && sort != SortRelevance {
		body["track_scores"] = true // hits still report how well they match
	}
	if !qt.empty() {
		body["highlight"] = highlightSpec(qt)
	}
	return body, nil
}

// textQuery is the bool query (without filters) for a parsed query: every word (or, with
// anyWord, at least one) must match in some field, with typos allowed by the word's length;
// every phrase must match exactly; excluded words and phrases must not occur. All the words in
// order, as a phrase, add to the score, so items with the exact wording come first.
func textQuery(qt queryText, anyWord bool) map[string]any {
	var must, should, mustNot []any
	var wordClauses []any
	for _, w := range qt.Words {
		wordClauses = append(wordClauses, map[string]any{"bool": map[string]any{
			"should": []any{
				map[string]any{"multi_match": map[string]any{
					"query":     w,
					"type":      "best_fields",
					"fields":    slices.Clone(fuzzyFields),
					"fuzziness": fuzzinessFor(w),
					// Typos in a word's first letter are rare, and keeping it exact divides the
					// number of index terms a fuzzy word expands to by the size of the alphabet.
					"prefix_length":  1,
					"max_expansions": 20,
				}},
				map[string]any{"multi_match": map[string]any{
					"query": w, "type": "best_fields", "fields": slices.Clone(exactFields),
				}},
			},
			"minimum_should_match": 1,
		}})
	}
	if anyWord && len(wordClauses) > 1 {
		must = append(must, map[string]any{"bool": map[string]any{"should": wordClauses, "minimum_should_match": 1}})
	} else {
		must = append(must, wordClauses...)
	}
	for _, ph := range qt.Phrases {
		must = append(must, map[string]any{"multi_match": map[string]any{
			"query": ph, "type": "phrase", "fields": slices.Clone(phraseFields),
		}})
	}
	if len(qt.Words) > 1 {
		should = append(should, map[string]any{"multi_match": map[string]any{
			"query": strings.Join(qt.Words, " "), "type": "phrase", "fields": slices.Clone(phraseFields),
			"slop": 1, "boost": phraseBoost,
		}})
	}
	for _, x := range qt.Excluded {
		mustNot = append(mustNot, map[string]any{"multi_match": map[string]any{
			"query": x, "type": "phrase", "fields": slices.Clone(searchFields),
		}})
	}
	if len(must) == 0 {
		must = append(must, map[string]any{"match_all": map[string]any{}})
	}
	out := map[string]any{"must": must}
	if len(should) > 0 {
		out["should"] = should
	}
	if len(mustNot) > 0 {
		out["must_not"] = mustNot
	}
	return out
}

// highlightSpec asks for fragments of the matched words and phrases.
func highlightSpec(qt queryText) map[string]any {
	fields := map[string]any{}
	for _, f := range highlightFields {
		fields[f] = map[string]any{}
	}
	// The whole title is one fragment; long texts give up to three short fragments.
	fields["title"] = map[string]any{"number_of_fragments": 0}
	// Highlighting re-runs the query on each hit's text. A fuzzy query there costs more than the
	// search itself: for every hit and field it intersects the word's typo automaton with the
	// field's whole term dictionary. So fragments mark the words as typed and the phrases; a hit
	// found only through a typo comes without marks.
	var should []any
	if len(qt.Words) > 0 {
		should = append(should, map[string]any{"multi_match": map[string]any{
			"query":  strings.Join(qt.Words, " "),
			"fields": slices.Clone(highlightFields),
		}})
	}
	for _, ph := range qt.Phrases {
		should = append(should, map[string]any{"multi_match": map[string]any{
			"query": ph, "type": "phrase", "fields": slices.Clone(highlightFields),
		}})
	}
	return map[string]any{
		"highlight_query":     map[string]any{"bool": map[string]any{"should": should}},
		"fields":              fields,
		"fragment_size":       120,
		"number_of_fragments": 3,
		"pre_tags":            []string{"<mark>"},
		"post_tags":           []string{"</mark>"},
		"encoder":             "html",
	}
}

// maxTermsPerClause is the most collection ids put in one terms query. Elasticsearch refuses a
// terms query with more than index.max_terms_count (65,536 by default) values, so a caller in
// more collections gets several terms queries, any of which may match.
const maxTermsPerClause = 65536

// collectionFilter restricts a query to documents of the given collections.
func collectionFilter(collections []uuid.UUID) map[string]any {
	ids := make([]string, len(collections))
	for i, id := range collections {
		ids[i] = id.String()
	}
	if len(ids) <= maxTermsPerClause {
		return map[string]any{"terms": map[string]any{"collection_id": ids}}
	}
	var should []any
	for start := 0; start < len(ids); start += maxTermsPerClause {
		chunk := ids[start:min(start+maxTermsPerClause, len(ids))]
		should = append(should, map[string]any{"terms": map[string]any{"collection_id": chunk}})
	}
	return map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}}
}
