package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/retry"
)

// Result is one page of search hits.
type Result struct {
	// Hits are the documents of this page, in sort order.
	Hits []Hit
	// NextSearchAfter is the Params.SearchAfter of the next page, nil on the last page. Its values
	// are JSON scalars (json.Number for numbers) and round-trip through encoding/json.
	NextSearchAfter []any
	// Total is the number of documents matching the query and filters, over all pages, counted
	// up to TotalHitsCap.
	Total int64
	// TotalExact is false when more documents match than Total (the count stopped at the cap).
	TotalExact bool
	// AnyWord reports that no document had every word of the query, so these are the documents
	// with at least one (see Params.AnyWord); pass it on with the next page.
	AnyWord bool
}

// Hit is one matching document.
type Hit struct {
	// ID is the item id.
	ID uuid.UUID
	// CollectionID is the item's collection.
	CollectionID uuid.UUID
	// Score is the relevance score; zero unless the results are sorted by relevance.
	Score float64
	// Highlights maps a field (title, description, notes, content) to HTML-escaped fragments in which the
	// matched words are wrapped in <mark>…</mark>. Empty for an empty query.
	Highlights map[string][]string
	// Document is the stored document.
	Document Document
}

// searchResponse is the part of a search answer Search reads.
type searchResponse struct {
	Shards struct {
		Failed int `json:"failed"`
	} `json:"_shards"`
	Hits struct {
		Total struct {
			Value    int64  `json:"value"`
			Relation string `json:"relation"`
		} `json:"total"`
		Hits []struct {
			Score     *json.Number        `json:"_score"`
			Source    json.RawMessage     `json:"_source"`
			Highlight map[string][]string `json:"highlight"`
			Sort      []any               `json:"sort"`
		} `json:"hits"`
	} `json:"hits"`
}

// Search returns one page of documents matching p. Results never include documents outside
// p.CollectionIDs. When no document has every word of a query of several words, the first page
// is asked for again with p.AnyWord, and Result.AnyWord says so.
func (ix *Index) Search(ctx context.Context, p Params) (Result, error) {
	res, err := ix.search(ctx, p)
	if err != nil || res.Total > 0 || p.AnyWord || len(p.SearchAfter) > 0 || len(parseQueryText(p.Query).Words) < 2 {
		return res, err
	}
	p.AnyWord = true
	return ix.search(ctx, p)
}

// search runs one search request for p.
func (ix *Index) search(ctx context.Context, p Params) (Result, error) {
	_, _, limit, err := p.resolved()
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	body, err := BuildQuery(p)
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return Result{}, fmt.Errorf("search: encode query: %w", err)
	}

	var res searchResponse
	// A search that raced with a rebuild's deletion of the old index fails as a whole (partial
	// results are refused); the alias already points to the new index, so one more try answers.
	err = searchRetry.Do(ctx, searchAttempts, func(int) error {
		res = searchResponse{}
		req := esapi.SearchRequest{
			Index:                     []string{ix.alias},
			Body:                      bytes.NewReader(raw),
			AllowPartialSearchResults: ptr(false),
		}
		err := ix.do(ctx, req, &res)
		if err == nil && res.Shards.Failed > 0 {
			err = fmt.Errorf("%d shard(s) failed", res.Shards.Failed)
		}
		if err != nil && !retryableSearchError(err) {
			return retry.Permanent(err)
		}
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}

	out := Result{Total: res.Hits.Total.Value, TotalExact: res.Hits.Total.Relation != "gte", AnyWord: p.AnyWord,
		Hits: make([]Hit, 0, min(limit, len(res.Hits.Hits)))}
	for i, h := range res.Hits.Hits {
		if i == limit {
			// The extra document proves a next page exists; continue after the last one shown.
			out.NextSearchAfter = res.Hits.Hits[limit-1].Sort
			break
		}
		var doc Document
		if err := json.Unmarshal(h.Source, &doc); err != nil {
			return Result{}, fmt.Errorf("search: decode hit: %w", err)
		}
		hit := Hit{ID: doc.ID, CollectionID: doc.CollectionID, Highlights: h.Highlight, Document: doc}
		if h.Score != nil {
			if s, err := h.Score.Float64(); err == nil {
				hit.Score = s
			}
		}
		if hit.Highlights == nil {
			hit.Highlights = map[string][]string{}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// A search is tried searchAttempts times, searchRetry apart: enough to outlast the moment a
// rebuild's alias swap and old-index deletion take, short enough for a request.
const searchAttempts = 3

var searchRetry = retry.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}

// retryableSearchError reports errors caused by an index disappearing under a running search.
func retryableSearchError(err error) bool {
	var re *ResponseError
	if !errors.As(err, &re) {
		return true // shard failures reported in a 200 answer
	}
	return re.Status >= 500 || re.Type == "index_not_found_exception" || re.Type == "search_phase_execution_exception"
}
