package search

import (
	"fmt"
	"slices"

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
}

// searchFields are the fields a text query looks in, with their boosts.
var searchFields = []string{
	"title^3",
	"tags.text^2",
	"description",
	"notes",
	"source_url",
	"metadata.title",
	"metadata.description",
	"metadata.site_name",
}

// highlightFields are the fields whose matching fragments are returned with each hit.
var highlightFields = []string{"title", "description", "notes"}

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

	boolQuery := map[string]any{"filter": filters}
	if p.Query != "" {
		boolQuery["must"] = []any{map[string]any{
			"multi_match": map[string]any{
				"query":     p.Query,
				"type":      "best_fields",
				"fields":    slices.Clone(searchFields),
				"fuzziness": "AUTO",
				// Typos in a word's first letter are rare, and keeping it exact divides the
				// number of index terms a fuzzy word expands to by the size of the alphabet.
				"prefix_length": 1,
			},
		}}
	} else {
		boolQuery["must"] = []any{map[string]any{"match_all": map[string]any{}}}
	}

	body := map[string]any{
		"query":            map[string]any{"bool": boolQuery},
		"sort":             sortSpec,
		"size":             limit + 1,
		"track_total_hits": true,
	}
	if len(p.SearchAfter) > 0 {
		body["search_after"] = p.SearchAfter
	}
	if p.Query != "" && sort != SortRelevance {
		body["track_scores"] = true // hits still report how well they match
	}
	if p.Query != "" {
		fields := map[string]any{}
		for _, f := range highlightFields {
			fields[f] = map[string]any{}
		}
		// The whole title is one fragment; long texts give up to three short fragments.
		fields["title"] = map[string]any{"number_of_fragments": 0}
		body["highlight"] = map[string]any{
			// Highlighting re-runs the query on each hit's text, and a fuzzy query there costs
			// far more than the search itself (it expands every similar word in the index).
			// So fragments mark the words as typed and one-letter typos of them (words of three
			// letters or more, at most ten variants each); hits found only through a bigger typo
			// or another field come without fragments.
			"highlight_query": map[string]any{"multi_match": map[string]any{
				"query":         p.Query,
				"fields":        slices.Clone(highlightFields),
				"fuzziness":     "AUTO:3,100",
				"fuzzy_rewrite": "top_terms_10",
			}},
			"fields":              fields,
			"fragment_size":       120,
			"number_of_fragments": 3,
			"pre_tags":            []string{"<mark>"},
			"post_tags":           []string{"</mark>"},
			"encoder":             "html",
		}
	}
	return body, nil
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
