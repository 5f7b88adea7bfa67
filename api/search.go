package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/search"
)

// SearchItemsInput is a full-text search over the caller's items.
type SearchItemsInput struct {
	Q            string              `query:"q" maxLength:"500" doc:"Words to look for in titles, descriptions, notes, tags, source URLs, page metadata and the text of the saved page. Every word must match (small typos in words of four letters or more still do); items with the words in this order rank first; if no item has every word, items with any of them are returned (match: any). \"quoted words\" must appear as a phrase; -word or -\"a phrase\" excludes items containing it. Empty: every item (newest first)." example:"memory model"`
	CollectionID Optional[uuid.UUID] `query:"collection_id" format:"uuid" doc:"Only items of this collection (404 if you are not a member)."`
	Tags         []string            `query:"tags,explode" maxItems:"20" doc:"Only items carrying every given tag (repeat the parameter)."`
	Sort         string              `query:"sort" enum:"relevance,created_at,updated_at,title" doc:"Result order; default relevance with q, created_at without."`
	Order        string              `query:"order" enum:"asc,desc" doc:"Default desc, except asc for title."`
	PageParams
}

// SearchHit is one matching item as the search index holds it, with why it matched.
type SearchHit struct {
	ID           uuid.UUID           `json:"id"`
	CollectionID uuid.UUID           `json:"collection_id"`
	Title        string              `json:"title" example:"The Go Memory Model"`
	SourceURL    *string             `json:"source_url" doc:"The item's URL, if any."`
	Description  string              `json:"description"`
	Notes        string              `json:"notes"`
	Tags         []string            `json:"tags" doc:"Normalised tag names, sorted."`
	MetadataJSON map[string]any      `json:"metadata_json" doc:"The enrichment fields search uses (title, description, site_name, canonical_url, language)."`
	CreatedBy    *uuid.UUID          `json:"created_by"`
	Version      int64               `json:"version" doc:"The item version the index holds; the item may have changed since (see the item's index_status)."`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	Score        float64             `json:"score" doc:"Relevance score (higher matches better); 0 without q."`
	Highlights   map[string][]string `json:"highlights" doc:"Field (title, description, notes, content: the saved page's text) → HTML-escaped fragments with the matched words wrapped in <mark>…</mark>. Empty without q."`
}

func toSearchHit(h search.Hit) SearchHit {
	d := h.Document
	hit := SearchHit{ID: d.ID, CollectionID: d.CollectionID, Title: d.Title, Description: d.Description, Notes: d.Notes,
		Tags: d.Tags, MetadataJSON: map[string]any{}, Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		Score: h.Score, Highlights: h.Highlights}
	if d.SourceURL != "" {
		hit.SourceURL = &d.SourceURL
	}
	if d.CreatedBy != uuid.Nil {
		hit.CreatedBy = &d.CreatedBy
	}
	if hit.Tags == nil {
		hit.Tags = []string{}
	}
	if hit.Highlights == nil {
		hit.Highlights = map[string][]string{}
	}
	for k, v := range map[string]string{"title": d.Metadata.Title, "description": d.Metadata.Description,
		"site_name": d.Metadata.SiteName, "canonical_url": d.Metadata.CanonicalURL, "language": d.Metadata.Language} {
		if v != "" {
			hit.MetadataJSON[k] = v
		}
	}
	return hit
}

// SearchBody is a page of search hits.
type SearchBody struct {
	Items      []SearchHit `json:"items" doc:"This page's hits, in the requested order."`
	NextCursor *string     `json:"next_cursor" doc:"Cursor of the next page; null on the last page."`
	Total      SearchTotal `json:"total" doc:"Number of matching items over all pages, counted up to 10,000."`
	Match      string      `json:"match" enum:"all,any" doc:"all: every hit has every word of q; any: no item had them all, so these hits have at least one."`
}

// SearchTotal is a count of matches that may stop at a cap.
type SearchTotal struct {
	Value    int64  `json:"value" doc:"The number of matches, or the cap when there are more." example:"10000"`
	Relation string `json:"relation" enum:"eq,gte" doc:"eq: exactly value matches; gte: at least value (counting stopped)." example:"gte"`
}

// SearchOutput answers a search.
type SearchOutput struct {
	Body SearchBody
}

func (s *Server) registerSearch() {
	huma.Register(s.api, huma.Operation{
		OperationID: "search-items", Method: http.MethodGet, Path: "/api/v1/search/items",
		Summary: "Search the items of your collections",
		Description: "Full-text search with typo tolerance and highlighted fragments, over the items of the collections " +
			"you are a member of (checked on every query), including the text of the pages their links point to " +
			"(captured by ENRICH_URL). Every word must match; \"quoted phrases\" and -excluded words are understood. The index follows writes within a second or two; an item's " +
			"index_status says whether it has caught up. Page with next_cursor.",
		Tags: []string{"Search"}, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound,
			http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *SearchItemsInput) (*SearchOutput, error) {
		q := search.Query{Text: in.Q, Tags: in.Tags, Sort: search.Sort(in.Sort), Order: search.Order(in.Order),
			CollectionID: in.CollectionID.Ptr(), Page: in.page()}
		if s.search == nil {
			return nil, huma.Error503ServiceUnavailable("search is not configured on this server")
		}
		page, err := s.search.Search(ctx, caller(ctx), q)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"q", "query.q"}, inputAt{"tags", "query.tags"})
		}
		out := &SearchOutput{Body: SearchBody{Items: make([]SearchHit, 0, len(page.Hits)),
			Total: SearchTotal{Value: page.Total, Relation: "eq"}, Match: "all"}}
		if !page.TotalExact {
			out.Body.Total.Relation = "gte"
		}
		if page.AnyWord {
			out.Body.Match = "any"
		}
		for _, h := range page.Hits {
			out.Body.Items = append(out.Body.Items, toSearchHit(h))
		}
		if page.NextCursor != "" {
			out.Body.NextCursor = &page.NextCursor
		}
		return out, nil
	})
}
