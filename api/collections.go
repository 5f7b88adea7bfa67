package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/collection"
)

// CollectionPath addresses one collection.
type CollectionPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Collection id."`
}

// CreateCollectionInput creates a collection.
type CreateCollectionInput struct {
	Body struct {
		Name        string `json:"name" minLength:"1" maxLength:"200" example:"Reading list"`
		Description string `json:"description,omitempty" maxLength:"2000"`
	}
}

// CollectionOutput answers with one collection.
type CollectionOutput struct {
	Location string `header:"Location"`
	Body     Collection
}

// ListCollectionsInput pages the caller's collections.
type ListCollectionsInput struct {
	PageParams
}

// UpdateCollectionInput changes a collection; absent fields stay as they are.
type UpdateCollectionInput struct {
	CollectionPath
	Body struct {
		Name        *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		Description *string `json:"description,omitempty" maxLength:"2000"`
	}
}

func (s *Server) registerCollections() {
	tags := []string{"Collections"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-collection", Method: http.MethodPost, Path: "/api/v1/collections",
		Summary: "Create a collection (you become its owner)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateCollectionInput) (*CollectionOutput, error) {
		c, err := s.collections.Create(ctx, caller(ctx), collection.CreateParams{Name: in.Body.Name, Description: in.Body.Description})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &CollectionOutput{Location: "/api/v1/collections/" + c.ID.String(), Body: toCollection(c)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-collections", Method: http.MethodGet, Path: "/api/v1/collections",
		Summary: "List the collections you belong to", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, func(ctx context.Context, in *ListCollectionsInput) (*ListOutput[Collection], error) {
		cs, next, err := s.collections.List(ctx, caller(ctx), in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(cs, next, toCollection), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-collection", Method: http.MethodGet, Path: "/api/v1/collections/{id}",
		Summary: "Get a collection", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *CollectionPath) (*CollectionOutput, error) {
		c, err := s.collections.Get(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &CollectionOutput{Body: toCollection(c)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-collection", Method: http.MethodPatch, Path: "/api/v1/collections/{id}",
		Summary: "Rename or re-describe a collection (owners)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *UpdateCollectionInput) (*CollectionOutput, error) {
		c, err := s.collections.Update(ctx, caller(ctx), in.ID, collection.UpdateParams{Name: in.Body.Name, Description: in.Body.Description})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &CollectionOutput{Body: toCollection(c)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-collection", Method: http.MethodDelete, Path: "/api/v1/collections/{id}",
		Summary: "Delete a collection with its items and memberships (owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *CollectionPath) (*struct{}, error) {
		if err := s.collections.Delete(ctx, caller(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
