package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/search"
)

// The public reads: what a public link opens, for anyone who holds it, with
// no account. Every operation resolves the link first (an unknown, revoked
// or expired link is 404) and reads only its collection. Answers carry
// X-Robots-Tag: noindex unless the owner let search engines in, and
// Cache-Control: no-cache so a revoked link stops working at once; the edge
// rate-limits them per client IP (guessing links costs 404s and then 429s).

// PublicPath addresses what a public link opens.
type PublicPath struct {
	Token string `path:"token" maxLength:"100" doc:"The public link's secret."`
}

// PublicHeaders are the headers of every public answer.
type PublicHeaders struct {
	RobotsTag    string `header:"X-Robots-Tag" doc:"noindex unless the owner lets search engines index the page."`
	CacheControl string `header:"Cache-Control"`
}

func publicHeaders(sh publiclink.Shared) PublicHeaders {
	h := PublicHeaders{CacheControl: "no-cache"}
	if !sh.Link.Indexable {
		h.RobotsTag = "noindex"
	}
	return h
}

// PublicCollection is the public face of a published collection.
type PublicCollection struct {
	Name        string            `json:"name" example:"Reading list"`
	Description string            `json:"description"`
	ExpiresAt   *time.Time        `json:"expires_at" doc:"When the link stops working; null: until revoked."`
	Indexable   bool              `json:"indexable"`
	Feeds       map[string]string `json:"feeds" doc:"The public feed's path by format (atom, rss, json)."`
}

// PublicCollectionOutput answers with a published collection.
type PublicCollectionOutput struct {
	PublicHeaders
	Body PublicCollection
}

// PublicItem is an item as a public link shows it: no notes, no author.
type PublicItem struct {
	ID          uuid.UUID `json:"id"`
	Title       string    `json:"title" example:"The Go Memory Model"`
	SourceURL   *string   `json:"source_url" doc:"The item's URL, if any."`
	Description string    `json:"description"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toPublicItem(it item.Item) PublicItem {
	tags := it.Tags
	if tags == nil {
		tags = []string{}
	}
	return PublicItem{ID: it.ID, Title: it.Title, SourceURL: it.SourceURL, Description: it.Description, Tags: tags,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

func publicItemOfHit(h search.Hit) PublicItem {
	d := h.Document
	var src *string
	if d.SourceURL != "" {
		src = &d.SourceURL
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return PublicItem{ID: d.ID, Title: d.Title, SourceURL: src, Description: d.Description, Tags: tags,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// PublicListOutput answers with a page of a published collection.
type PublicListOutput[T any] struct {
	PublicHeaders
	Body ListBody[T]
}

func publicList[T, D any](sh publiclink.Shared, rows []D, next string, conv func(D) T) *PublicListOutput[T] {
	l := listOf(rows, next, conv)
	return &PublicListOutput[T]{PublicHeaders: publicHeaders(sh), Body: l.Body}
}

// PublicItemsInput pages a published collection's items.
type PublicItemsInput struct {
	PublicPath
	PageParams
	Tag []string `query:"tag,explode" maxItems:"20" doc:"Only items carrying every given tag (repeat the parameter)."`
}

// PublicTagsInput pages a published collection's tags.
type PublicTagsInput struct {
	PublicPath
	PageParams
}

// PublicSearchInput searches a published collection.
type PublicSearchInput struct {
	PublicPath
	PageParams
	Q    string   `query:"q" maxLength:"500" doc:"Words to look for (as in /api/v1/search/items); empty: every item, newest first."`
	Tags []string `query:"tags,explode" maxItems:"20" doc:"Only items carrying every given tag."`
}

func (s *Server) registerPublicReads() {
	tags := []string{"Public"}
	errs := []int{http.StatusBadRequest, http.StatusNotFound, http.StatusTooManyRequests}
	huma.Register(s.api, huma.Operation{
		OperationID: "get-public-collection", Method: http.MethodGet, Path: "/api/v1/public/{token}",
		Summary: "The collection a public link publishes (no account)", Tags: tags, Errors: errs,
	}, func(ctx context.Context, in *PublicPath) (*PublicCollectionOutput, error) {
		sh, err := s.publicLinks.Resolve(ctx, in.Token)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &PublicCollectionOutput{PublicHeaders: publicHeaders(sh), Body: PublicCollection{Name: sh.Name, Description: sh.Description,
			ExpiresAt: sh.Link.ExpiresAt, Indexable: sh.Link.Indexable, Feeds: feedPaths(in.Token)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-public-items", Method: http.MethodGet, Path: "/api/v1/public/{token}/items",
		Summary: "A published collection's items, newest first (no account)", Tags: tags, Errors: errs,
	}, func(ctx context.Context, in *PublicItemsInput) (*PublicListOutput[PublicItem], error) {
		sh, err := s.publicLinks.Resolve(ctx, in.Token)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		rows, next, err := s.items.ListPublished(ctx, sh.Link.CollectionID, item.ListParams{Tags: in.Tag, Page: in.page()})
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"tags", "query.tag"})
		}
		return publicList(sh, rows, next, toPublicItem), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-public-tags", Method: http.MethodGet, Path: "/api/v1/public/{token}/tags",
		Summary: "A published collection's tags (no account)", Tags: tags, Errors: errs,
	}, func(ctx context.Context, in *PublicTagsInput) (*PublicListOutput[Tag], error) {
		sh, err := s.publicLinks.Resolve(ctx, in.Token)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		rows, next, err := s.items.TagsPublished(ctx, sh.Link.CollectionID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return publicList(sh, rows, next, toTag), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "search-public-items", Method: http.MethodGet, Path: "/api/v1/public/{token}/search",
		Summary: "Search a published collection (no account)", Tags: tags,
		Errors: append(errs, http.StatusUnprocessableEntity, http.StatusServiceUnavailable),
	}, func(ctx context.Context, in *PublicSearchInput) (*PublicListOutput[PublicItem], error) {
		sh, err := s.publicLinks.Resolve(ctx, in.Token)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if s.search == nil {
			return nil, s.problem(ctx, search.ErrUnavailable)
		}
		page, err := s.search.SearchPublished(ctx, sh.Link.CollectionID, search.Query{Text: in.Q, Tags: in.Tags, Page: in.page()})
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"q", "query.q"}, inputAt{"tags", "query.tags"})
		}
		return publicList(sh, page.Hits, page.NextCursor, publicItemOfHit), nil
	})
}
