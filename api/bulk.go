package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/item"
)

// BulkItemIDs names the items of a bulk request.
type BulkItemIDs struct {
	ItemIDs []uuid.UUID `json:"item_ids" minItems:"1" maxItems:"1000" doc:"The items to act on (at most 1,000; duplicates count once). If any of them does not exist or may not be changed by the caller, nothing changes (404 or 403 naming the item)."`
}

// BulkTagsInput adds and removes tags on many items.
type BulkTagsInput struct {
	Body struct {
		BulkItemIDs
		Add    []string `json:"add,omitempty" maxItems:"50" doc:"Tags to add to every item." example:"[\"to-read\"]"`
		Remove []string `json:"remove,omitempty" maxItems:"50" doc:"Tags to remove from every item."`
	}
}

// BulkTargetInput moves or copies many items to a collection.
type BulkTargetInput struct {
	Body struct {
		BulkItemIDs
		CollectionID uuid.UUID `json:"collection_id" doc:"The collection to move or copy the items to; the caller must be an owner or editor of it and of every item's collection."`
	}
}

// BulkDeleteInput deletes many items.
type BulkDeleteInput struct {
	Body struct {
		BulkItemIDs
	}
}

// BulkRestoreInput undoes a bulk deletion.
type BulkRestoreInput struct {
	Body struct {
		UndoToken uuid.UUID `json:"undo_token" doc:"The undo_token a bulk delete answered."`
	}
}

// BulkResult says which items a bulk write changed.
type BulkResult struct {
	ItemIDs []uuid.UUID `json:"item_ids" doc:"The items that changed, in request order (for a copy: the new items); items already as asked are left out." nullable:"false"`
}

// BulkResultOutput answers a bulk write.
type BulkResultOutput struct {
	Body BulkResult
}

// BulkDeleteResult says which items a bulk delete removed and how to undo it.
type BulkDeleteResult struct {
	ItemIDs   []uuid.UUID `json:"item_ids" nullable:"false"`
	UndoToken uuid.UUID   `json:"undo_token" doc:"POST it to /api/v1/items/bulk/restore before undo_until to bring the items back."`
	UndoUntil time.Time   `json:"undo_until"`
}

// BulkDeleteOutput answers a bulk delete.
type BulkDeleteOutput struct {
	Body BulkDeleteResult
}

func bulkResult(r item.BulkResult) *BulkResultOutput {
	ids := r.Changed
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return &BulkResultOutput{Body: BulkResult{ItemIDs: ids}}
}

func (s *Server) registerBulk() {
	tags := []string{"Items"}
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}
	const allOrNothing = " One transaction: if any item is missing (404) or may not be changed by the caller (403), nothing changes. " +
		"One event (and audit row) per item that changed. At most 1,000 items per request (422 beyond)."
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-tag-items", Method: http.MethodPost, Path: "/api/v1/items/bulk/tags",
		Summary: "Add and remove tags on many items (owners, editors)", Tags: tags, Security: secured,
		Description: "Adds `add` and removes `remove` on every item." + allOrNothing, Errors: errs,
	}, func(ctx context.Context, in *BulkTagsInput) (*BulkResultOutput, error) {
		r, err := s.items.TagBulk(ctx, caller(ctx), in.Body.ItemIDs, item.TagParams{Add: in.Body.Add, Remove: in.Body.Remove})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return bulkResult(r), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-move-items", Method: http.MethodPost, Path: "/api/v1/items/bulk/move",
		Summary: "Move many items to another collection (owners, editors of both)", Tags: tags, Security: secured,
		Description: "Items keep their ids and tags. Two people moving the same items at once are served one after the other." + allOrNothing,
		Errors:      errs,
	}, func(ctx context.Context, in *BulkTargetInput) (*BulkResultOutput, error) {
		r, err := s.items.MoveBulk(ctx, caller(ctx), in.Body.ItemIDs, in.Body.CollectionID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return bulkResult(r), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-copy-items", Method: http.MethodPost, Path: "/api/v1/items/bulk/copy",
		Summary: "Copy many items to another collection (owners, editors of both)", Tags: tags, Security: secured,
		Description: "Creates new items with the same fields and tags; their links are fetched again." + allOrNothing,
		Errors:      errs,
	}, func(ctx context.Context, in *BulkTargetInput) (*BulkResultOutput, error) {
		r, err := s.items.CopyBulk(ctx, caller(ctx), in.Body.ItemIDs, in.Body.CollectionID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return bulkResult(r), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-delete-items", Method: http.MethodPost, Path: "/api/v1/items/bulk/delete",
		Summary: "Delete many items, with undo (owners, editors)", Tags: tags, Security: secured,
		Description: "Answers an undo_token valid for 10 minutes (POST /api/v1/items/bulk/restore)." + allOrNothing,
		Errors:      errs,
	}, func(ctx context.Context, in *BulkDeleteInput) (*BulkDeleteOutput, error) {
		r, err := s.items.DeleteBulk(ctx, caller(ctx), in.Body.ItemIDs)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &BulkDeleteOutput{Body: BulkDeleteResult{ItemIDs: r.Deleted, UndoToken: r.UndoToken, UndoUntil: r.UndoUntil}}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-restore-items", Method: http.MethodPost, Path: "/api/v1/items/bulk/restore",
		Summary: "Undo a bulk delete (owners, editors)", Tags: tags, Security: secured,
		Description: "Brings back the items of a bulk delete with their ids, fields and tags, within 10 minutes of it. " +
			"An unknown, used or expired token is 404; if the caller may no longer change one of the items, 403 and nothing changes.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *BulkRestoreInput) (*BulkResultOutput, error) {
		r, err := s.items.RestoreBulk(ctx, caller(ctx), in.Body.UndoToken)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return bulkResult(r), nil
	})
}
