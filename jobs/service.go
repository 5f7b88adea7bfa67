package jobs

import (
	"context"
	"fmt"
	"math"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool *pgxpool.Pool
	// River inserts jobs; an insert-only client (NewInsertClient) is enough.
	River   *river.Client[pgx.Tx]
	Cursors *cursor.Codec
}

// Service adds item jobs and shows them to the members of the items'
// collections.
type Service struct {
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx]
	cursor *cursor.Codec
	store  store
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	return &Service{pool: p.Pool, river: p.River, cursor: p.Cursors}
}

// Create adds a job of type t for an item on behalf of actor, who must be
// an owner or editor of the item's collection (a non-member gets
// atlas.ErrNotFound). While a job of the same type for the item is queued
// or running, Create returns that job instead of adding another.
func (s *Service) Create(ctx context.Context, actor uuid.UUID, t Type, itemID uuid.UUID) (Job, error) {
	if _, err := t.Kind(); err != nil {
		return Job{}, err
	}
	var out Job
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		it, err := item.Authorize(ctx, tx, actor, itemID, collection.ActionWriteItems, false)
		if err != nil {
			return err
		}
		if t == TypeEnrichURL && it.SourceURL == nil {
			return atlas.Invalid("item_id", "the item has no source_url to enrich")
		}
		out, err = s.insert(ctx, tx, t, it)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("create %s job: %w", t, err)
	}
	return out, nil
}

func (s *Service) insert(ctx context.Context, tx pgx.Tx, t Type, it item.Item) (Job, error) {
	args, err := argsFor(t, ItemRef{ItemID: it.ID, CollectionID: it.CollectionID})
	if err != nil {
		return Job{}, err
	}
	res, err := s.river.InsertTx(ctx, tx, args, &river.InsertOpts{Metadata: metadataFor(ctx)})
	if err != nil {
		return Job{}, fmt.Errorf("insert %s job: %w", t, err)
	}
	return jobFromRow(res.Job)
}

// EnqueueEnrichment is an item.OnCreateFunc: it adds an ENRICH_URL job for
// a new item that has a source_url, in the item's own transaction, so the
// job exists if and only if the item does.
func (s *Service) EnqueueEnrichment(ctx context.Context, tx pgx.Tx, it item.Item) error {
	if it.SourceURL == nil {
		return nil
	}
	if _, err := s.insert(ctx, tx, TypeEnrichURL, it); err != nil {
		return fmt.Errorf("enqueue enrichment: %w", err)
	}
	return nil
}

// EnqueueReEnrichment is an item.OnUpdateFunc: when a change gives an item
// a new source_url, it enriches the new URL (in the same transaction).
func (s *Service) EnqueueReEnrichment(ctx context.Context, tx pgx.Tx, before, after item.Item) error {
	if after.SourceURL == nil || (before.SourceURL != nil && *before.SourceURL == *after.SourceURL) {
		return nil
	}
	return s.EnqueueEnrichment(ctx, tx, after)
}

// FollowMove is an item.OnUpdateFunc: when an item moves to another
// collection, its jobs (which name their collection so that the jobs API can
// filter by membership) move with it, in the same transaction, so that only
// the members of its new collection see them.
func (s *Service) FollowMove(ctx context.Context, tx pgx.Tx, before, after item.Item) error {
	if before.CollectionID == after.CollectionID {
		return nil
	}
	return s.store.MoveItemJobs(ctx, tx, after.ID, after.CollectionID)
}

// Get returns a job that actor may see: a member of the job's item's
// collection. Anyone else gets atlas.ErrNotFound.
func (s *Service) Get(ctx context.Context, actor uuid.UUID, id int64) (Job, error) {
	j, role, err := s.store.GetForUser(ctx, s.pool, id, actor)
	if err != nil {
		return Job{}, err
	}
	if _, err := collection.AuthorizeChild(collection.ChildJob, role, collection.ActionRead); err != nil {
		return Job{}, err
	}
	return j, nil
}

// ListParams filters and pages the jobs a caller may see; zero fields do
// not filter.
type ListParams struct {
	Status Status
	Type   Type
	ItemID *uuid.UUID
	Page   cursor.Page
}

// List returns the jobs of the items of every collection actor belongs to,
// newest first.
func (s *Service) List(ctx context.Context, actor uuid.UUID, p ListParams) ([]Job, string, error) {
	f := listFilter{UserID: actor, Limit: p.Page.Limit + 1, BeforeID: math.MaxInt64}
	var err error
	if f.stateFilter, err = statusFilter(p.Status); err != nil {
		return nil, "", err
	}
	if p.Type != "" {
		kind, err := listKind(p.Type)
		if err != nil {
			return nil, "", err
		}
		f.Kind = &kind
	}
	itemScope := ""
	if p.ItemID != nil {
		itemScope = p.ItemID.String()
		f.ItemID = &itemScope
	}
	// The cursor is bound to the caller and the filter it was made for.
	scope := fmt.Sprintf("jobs:%s:%s:%s:%s", actor, p.Status, p.Type, itemScope)
	if p.Page.After != "" {
		if err := s.cursor.Decode(scope, p.Page.After, &f.BeforeID); err != nil {
			return nil, "", err
		}
	}
	jobs, err := s.store.List(ctx, s.pool, f)
	if err != nil {
		return nil, "", err
	}
	return cursor.Trim(s.cursor, scope, jobs, p.Page.Limit, func(j Job) any { return j.ID })
}

// Retry runs a job again as soon as a worker is free ("try again"): a
// failed, cancelled or retrying job is made available now (a failed job
// that used its attempts gets one more). actor must be an owner or editor
// of the job's item's collection (a non-member gets atlas.ErrNotFound, a
// viewer atlas.ErrForbidden). A running or finished job cannot be retried
// (atlas.ErrConflict); nor can one while another job of its type for the
// same item is waiting or running.
func (s *Service) Retry(ctx context.Context, actor uuid.UUID, id int64) (Job, error) {
	var out Job
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		j, role, err := s.store.LockForUser(ctx, tx, id, actor)
		if err != nil {
			return err
		}
		if _, err := collection.AuthorizeChild(collection.ChildJob, role, collection.ActionWriteItems); err != nil {
			return err
		}
		switch j.Status {
		case StatusRunning:
			return atlas.Errorf(atlas.ErrConflict, "the job is running")
		case StatusSucceeded:
			return atlas.Errorf(atlas.ErrConflict, "the job is done; start a new one to run it again")
		}
		if err := s.store.ClearOutcome(ctx, tx, id); err != nil {
			return err
		}
		row, err := s.river.JobRetryTx(ctx, tx, id)
		if db.IsUniqueViolation(err, "") {
			return atlas.Errorf(atlas.ErrConflict, "another %s job for the item is waiting or running", j.Type)
		}
		if err != nil {
			return fmt.Errorf("retry job: %w", err)
		}
		out, err = jobFromRow(row)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("retry job %d: %w", id, err)
	}
	return out, nil
}
