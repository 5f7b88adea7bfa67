package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

// ErrUnavailable reports that Elasticsearch did not answer a search (an atlas.ErrUnavailable,
// which the HTTP edge answers with 503).
var ErrUnavailable = atlas.Errorf(atlas.ErrUnavailable, "search is temporarily unavailable; try again shortly")

// MaxQueryLen is the longest query text accepted, in bytes.
const MaxQueryLen = 500

// ServiceParams configures a Service.
type ServiceParams struct {
	// DB answers membership queries (normally the pool).
	DB db.Querier
	// Collections decides whether the caller may read a collection.
	Collections *collection.Service
	// Index is searched.
	Index *Index
	// Cursors signs the pagination cursors.
	Cursors *cursor.Codec
	// Logger receives a warning when the index does not exist yet; nil discards.
	Logger *slog.Logger
}

// Service answers searches on behalf of a caller, limited to the collections the caller is a
// member of, as Postgres says at the time of each query.
type Service struct {
	db          db.Querier
	collections *collection.Service
	index       *Index
	cursor      *cursor.Codec
	log         *slog.Logger
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: p.DB, collections: p.Collections, index: p.Index, cursor: p.Cursors, log: p.Logger}
}

// Index returns the index the Service searches.
func (s *Service) Index() *Index { return s.index }

// Query is one page of a search, as a caller asks for it.
type Query struct {
	// Text is the user's words; empty matches everything (sorted newest first by default).
	Text string
	// CollectionID, if set, limits the search to that collection, which the caller must be able
	// to read (else atlas.ErrNotFound).
	CollectionID *uuid.UUID
	// Tags limits results to items carrying all of them (normalised like item tags).
	Tags []string
	// Sort and Order choose the result order (see SortDefault and OrderDefault).
	Sort  Sort
	Order Order
	// Page is the page size and the cursor of the previous page.
	Page cursor.Page
}

// Page is one page of search results.
type Page struct {
	// Hits are the matching items of this page.
	Hits []Hit
	// NextCursor is the opaque cursor of the next page; empty on the last page.
	NextCursor string
	// Total is the number of matching items over all pages, counted up to TotalHitsCap.
	Total int64
	// TotalExact is false when more items match than Total.
	TotalExact bool
	// AnyWord reports that no item has every word, so the hits have at least one.
	AnyWord bool
}

// searchPosition is what a search cursor carries: Elasticsearch's search_after values.
type searchPosition struct {
	After []any `json:"a"`
	// AnyWord carries Result.AnyWord of the first page to the next ones.
	AnyWord bool `json:"w,omitempty"`
}

// scope binds a cursor to who asks (a caller's id, or a published collection) and to the
// exact query.
func (q Query) scope(who string, tags []string, sort Sort, order Order) string {
	var b strings.Builder
	b.WriteString("search:")
	b.WriteString(who)
	put := func(name, v string) { b.WriteString("\x00" + name + "=" + v) }
	put("q", q.Text)
	if q.CollectionID != nil {
		put("c", q.CollectionID.String())
	} else {
		put("c", "")
	}
	put("t", strings.Join(tags, "\x01"))
	put("s", string(sort))
	put("o", string(order))
	return b.String()
}

// Search returns one page of the items matching q among those of the collections caller
// belongs to. The membership is read from Postgres on every call, so a caller removed from a
// collection stops seeing its items with the next query. A caller in no collection gets an empty
// page without Elasticsearch being asked.
func (s *Service) Search(ctx context.Context, caller uuid.UUID, q Query) (Page, error) {
	params, scope, err := s.prepare(q, caller.String())
	if err != nil {
		return Page{}, err
	}
	return s.run(ctx, scope, params, func() ([]uuid.UUID, error) {
		if q.CollectionID != nil {
			if _, err := s.collections.Authorize(ctx, s.db, caller, *q.CollectionID, collection.ActionRead); err != nil {
				return nil, err
			}
			return []uuid.UUID{*q.CollectionID}, nil
		}
		return s.collections.VisibleIDs(ctx, s.db, caller)
	})
}

// prepare checks q and its cursor and returns the index parameters (without
// collections) and the cursor scope, bound to who asks (a caller, or a
// published collection) and to the exact query.
func (s *Service) prepare(q Query, who string) (Params, string, error) {
	q.Text = strings.TrimSpace(q.Text)
	if len(q.Text) > MaxQueryLen {
		return Params{}, "", atlas.Invalid("q", "must be at most %d bytes", MaxQueryLen)
	}
	tags, err := item.NormalizeTags(q.Tags)
	if err != nil {
		return Params{}, "", err
	}
	params := Params{Query: q.Text, Tags: tags, Sort: q.Sort, Order: q.Order, Limit: q.Page.Limit}
	sort, order, _, err := params.resolved()
	if err != nil {
		return Params{}, "", atlas.Errorf(atlas.ErrInvalid, "%s", strings.TrimPrefix(err.Error(), ErrInvalidParams.Error()+": "))
	}
	// The cursor is bound to the resolved sort, so "sort=" and "sort=relevance" share cursors.
	scope := q.scope(who, tags, sort, order)
	if q.Page.After != "" {
		var pos searchPosition
		if err := s.cursor.Decode(scope, q.Page.After, &pos); err != nil {
			return Params{}, "", err
		}
		params.SearchAfter, params.AnyWord = pos.After, pos.AnyWord
	}
	return params, scope, nil
}

// SearchPublished searches one collection without a caller: for a reader
// who reached it through a public link, whose access publiclink.Service
// decided. Only items of collectionID are ever returned (q.CollectionID is
// ignored); cursors are bound to the collection.
func (s *Service) SearchPublished(ctx context.Context, collectionID uuid.UUID, q Query) (Page, error) {
	q.CollectionID = &collectionID
	params, scope, err := s.prepare(q, "published:"+collectionID.String())
	if err != nil {
		return Page{}, err
	}
	return s.run(ctx, scope, params, func() ([]uuid.UUID, error) { return []uuid.UUID{collectionID}, nil })
}

// run answers a prepared search over the collections ids returns (read
// after the cursor is checked, so a bad cursor costs no query).
func (s *Service) run(ctx context.Context, scope string, params Params, ids func() ([]uuid.UUID, error)) (Page, error) {
	var err error
	params.CollectionIDs, err = ids()
	if err != nil {
		return Page{}, fmt.Errorf("search: %w", err)
	}
	if len(params.CollectionIDs) == 0 {
		return Page{Hits: []Hit{}, TotalExact: true}, nil
	}

	res, err := s.index.Search(ctx, params)
	switch {
	case err == nil:
	case errors.Is(err, ErrInvalidParams):
		// Only a cursor from another version of the sort could get here.
		return Page{}, atlas.Errorf(atlas.ErrBadRequest, "invalid cursor")
	case isErrorType(err, "index_not_found_exception"):
		s.log.WarnContext(ctx, "search index does not exist yet: answering with no results (the indexer creates it)",
			"alias", s.index.Alias())
		return Page{Hits: []Hit{}, TotalExact: true}, nil
	case ctx.Err() != nil:
		return Page{}, ctx.Err()
	default:
		return Page{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	out := Page{Hits: res.Hits, Total: res.Total, TotalExact: res.TotalExact, AnyWord: res.AnyWord}
	if res.NextSearchAfter != nil {
		out.NextCursor, err = s.cursor.Encode(scope, searchPosition{After: res.NextSearchAfter, AnyWord: res.AnyWord})
		if err != nil {
			return Page{}, fmt.Errorf("search: %w", err)
		}
	}
	return out, nil
}
