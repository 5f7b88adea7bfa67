package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/item"
)

// ItemPath addresses one item.
type ItemPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Item id."`
}

// CreateItemInput adds an item to a collection.
type CreateItemInput struct {
	CollectionPath
	Body struct {
		Title       string   `json:"title" minLength:"1" maxLength:"500" example:"The Go Memory Model"`
		SourceURL   string   `json:"source_url,omitempty" maxLength:"2048" doc:"An http:// or https:// URL." example:"https://go.dev/ref/mem"`
		Description string   `json:"description,omitempty" maxLength:"5000"`
		Notes       string   `json:"notes,omitempty" maxLength:"20000"`
		Tags        []string `json:"tags,omitempty" maxItems:"50" doc:"Tag names; trimmed, lower-cased and de-duplicated." example:"[\"Go\",\"concurrency\"]"`
	}
}

// ItemOutput answers with one item.
type ItemOutput struct {
	Location string `header:"Location"`
	Body     Item
}

// ListItemsInput filters and pages a collection's items.
type ListItemsInput struct {
	CollectionPath
	PageParams
	Tag        []string `query:"tag,explode" maxItems:"20" doc:"Only items carrying every given tag (repeat the parameter)."`
	LinkStatus []string `query:"link_status,explode" maxItems:"8" enum:"unknown,ok,moved,gone,server_error,unreachable,dead,attention" doc:"Only items whose link has one of these statuses (repeat the parameter); dead is gone or unreachable, attention is every status but ok and unknown."`
}

// UpdateItemInput changes an item; absent fields stay as they are.
type UpdateItemInput struct {
	ItemPath
	Body struct {
		Title       *string   `json:"title,omitempty" minLength:"1" maxLength:"500"`
		SourceURL   *string   `json:"source_url,omitempty" maxLength:"2048" doc:"An http(s) URL; an empty string removes it."`
		Description *string   `json:"description,omitempty" maxLength:"5000"`
		Notes       *string   `json:"notes,omitempty" maxLength:"20000"`
		Tags        *[]string `json:"tags,omitempty" maxItems:"50" doc:"Replaces the item's tags."`
	}
}

// ListTagsInput pages a collection's tags.
type ListTagsInput struct {
	CollectionPath
	PageParams
}

func (s *Server) registerItems() {
	tags := []string{"Items"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-item", Method: http.MethodPost, Path: "/api/v1/collections/{id}/items",
		Summary: "Add an item to a collection (owners, editors)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateItemInput) (*ItemOutput, error) {
		it, err := s.items.Create(ctx, caller(ctx), in.ID, item.CreateParams{
			Title: in.Body.Title, SourceURL: in.Body.SourceURL, Description: in.Body.Description,
			Notes: in.Body.Notes, Tags: in.Body.Tags,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemOutput{Location: "/api/v1/items/" + it.ID.String(), Body: toItem(it)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-items", Method: http.MethodGet, Path: "/api/v1/collections/{id}/items",
		Summary: "List a collection's items, newest first", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListItemsInput) (*ListOutput[Item], error) {
		items, next, err := s.items.List(ctx, caller(ctx), in.ID, item.ListParams{Tags: in.Tag, LinkStatus: in.LinkStatus, Page: in.page()})
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"tags", "query.tag"}, inputAt{"link_status", "query.link_status"})
		}
		return listOf(items, next, toItem), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-item", Method: http.MethodGet, Path: "/api/v1/items/{id}",
		Summary: "Get an item", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ItemPath) (*ItemOutput, error) {
		it, err := s.items.Get(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemOutput{Body: toItem(it)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-item", Method: http.MethodPatch, Path: "/api/v1/items/{id}",
		Summary: "Change an item (owners, editors)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *UpdateItemInput) (*ItemOutput, error) {
		it, err := s.items.Update(ctx, caller(ctx), in.ID, item.UpdateParams{
			Title: in.Body.Title, SourceURL: in.Body.SourceURL, Description: in.Body.Description,
			Notes: in.Body.Notes, Tags: in.Body.Tags,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemOutput{Body: toItem(it)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-item", Method: http.MethodDelete, Path: "/api/v1/items/{id}",
		Summary: "Delete an item (owners, editors)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *ItemPath) (*struct{}, error) {
		if err := s.items.Delete(ctx, caller(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-tags", Method: http.MethodGet, Path: "/api/v1/collections/{id}/tags",
		Summary: "List the tags in use in a collection, by name", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListTagsInput) (*ListOutput[Tag], error) {
		ts, next, err := s.items.Tags(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(ts, next, toTag), nil
	})
}
