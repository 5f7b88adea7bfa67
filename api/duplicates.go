package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/item"
)

// DuplicateMatch is an item that holds the same link as another.
type DuplicateMatch struct {
	ItemID         uuid.UUID `json:"item_id"`
	CollectionID   uuid.UUID `json:"collection_id"`
	CollectionName string    `json:"collection_name" example:"Reading list"`
	Title          string    `json:"title"`
	SourceURL      string    `json:"source_url"`
	Version        int64     `json:"version" doc:"The item's version: pass it to merge."`
	CanEdit        bool      `json:"can_edit" doc:"The caller may edit (and so merge) this item."`
}

func toDuplicateMatch(d item.Duplicate) DuplicateMatch {
	return DuplicateMatch{ItemID: d.ItemID, CollectionID: d.CollectionID, CollectionName: d.CollectionName,
		Title: d.Title, SourceURL: d.SourceURL, Version: d.Version, CanEdit: d.CanEdit}
}

func toDuplicateMatches(ds []item.Duplicate) []DuplicateMatch {
	out := make([]DuplicateMatch, 0, len(ds))
	for _, d := range ds {
		out = append(out, toDuplicateMatch(d))
	}
	return out
}

// DuplicateGroup is a set of items taken for one link.
type DuplicateGroup struct {
	Kind  string           `json:"kind" enum:"exact,canonical,title_host" doc:"exact: the same normalised URL; canonical (near-duplicate): different URLs whose pages name one canonical link; title_host (near-duplicate): the same title on one host."`
	Key   string           `json:"key" doc:"What the items share: the normalised URL, the canonical link, or the host and lower-cased title." example:"https://go.dev/ref/mem"`
	Items []DuplicateMatch `json:"items" doc:"The group's items in collections the caller may read, oldest first (at most 50)."`
}

func toDuplicateGroup(g item.DuplicateGroup) DuplicateGroup {
	return DuplicateGroup{Kind: string(g.Kind), Key: g.Key, Items: toDuplicateMatches(g.Items)}
}

// ListDuplicatesInput selects and pages the duplicates view.
type ListDuplicatesInput struct {
	PageParams
	Kind string `query:"kind" enum:"exact,canonical,title_host" default:"exact" doc:"The kind of group to list."`
}

// ItemRef names an item at the version the caller read.
type ItemRef struct {
	ID      uuid.UUID `json:"id" format:"uuid"`
	Version int64     `json:"version" minimum:"1" doc:"The version the caller read; the merge is refused (409) if the item changed since."`
}

func (r ItemRef) toDomain() item.ItemVersion { return item.ItemVersion{ID: r.ID, Version: r.Version} }

// MergeDuplicatesInput merges duplicates into one item.
type MergeDuplicatesInput struct {
	Body struct {
		Keep   ItemRef   `json:"keep" doc:"The item that stays; it gets the others' tags and notes."`
		Others []ItemRef `json:"others" minItems:"1" maxItems:"50" doc:"The items merged into keep and then deleted."`
	}
}

// CheckDuplicatesInput asks, before saving a link, where it is saved already.
type CheckDuplicatesInput struct {
	URL string `query:"url" required:"true" minLength:"1" maxLength:"2048" doc:"The http(s) link about to be saved; compared by its normalised form." example:"https://www.go.dev/ref/mem?utm_source=x"`
}

// CheckDuplicatesOutput lists the items that already hold a link.
type CheckDuplicatesOutput struct {
	Body struct {
		Items []DuplicateMatch `json:"items" doc:"Items holding the same normalised URL in collections the caller can read, oldest first (at most 20); empty when the link is new."`
	}
}

func (s *Server) registerDuplicates() {
	tags := []string{"Duplicates"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-duplicates", Method: http.MethodGet, Path: "/api/v1/duplicates",
		Summary: "List items saved more than once, across every collection the caller can read", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ListDuplicatesInput) (*ListOutput[DuplicateGroup], error) {
		gs, next, err := s.items.Duplicates(ctx, caller(ctx), item.DuplicatesParams{Kind: item.DuplicateKind(in.Kind), Page: in.page()})
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"kind", "query.kind"})
		}
		return listOf(gs, next, toDuplicateGroup), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "check-duplicates", Method: http.MethodGet, Path: "/api/v1/duplicates/check",
		Summary:     "Find where a link is saved already, before saving it",
		Description: "The same matches that adding the link would report in duplicates, over every collection the caller can read; nothing is saved.",
		Tags:        tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CheckDuplicatesInput) (*CheckDuplicatesOutput, error) {
		ds, err := s.items.CheckDuplicates(ctx, caller(ctx), in.URL)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"source_url", "query.url"}, inputAt{"url", "query.url"})
		}
		out := &CheckDuplicatesOutput{}
		out.Body.Items = toDuplicateMatches(ds)
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "merge-duplicates", Method: http.MethodPost, Path: "/api/v1/duplicates/merge",
		Summary:     "Merge duplicates into one item (editors of every item involved)",
		Description: "The kept item gets the union of the items' tags and their notes; the others are deleted. All or nothing, in one transaction.",
		Tags:        tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *MergeDuplicatesInput) (*ItemOutput, error) {
		others := make([]item.ItemVersion, len(in.Body.Others))
		for i, o := range in.Body.Others {
			others[i] = o.toDomain()
		}
		it, err := s.items.Merge(ctx, caller(ctx), item.MergeParams{Keep: in.Body.Keep.toDomain(), Others: others})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemOutput{Body: toItem(it)}, nil
	})
}
