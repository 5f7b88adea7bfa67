package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/enrich"
)

// store is the SQL over River's river_job table for Atlas' item jobs. River
// owns the table; Atlas only reads it here (jobs are added through River).
type store struct{}

// jobColumns reads a job: the last error is the last element of River's
// errors array, the handler's result is metadata.output.
const jobColumns = `j.id, j.kind, j.state::text, j.args, j.attempt, j.max_attempts,
	COALESCE(j.errors[array_upper(j.errors, 1)]->>'error', ''),
	j.metadata->'output', j.metadata->>'` + outcomeKey + `' IS NOT DISTINCT FROM '` + outcomeFailed + `',
	j.metadata->'` + failureKey + `', j.created_at, j.scheduled_at, j.attempted_at, j.finalized_at`

func scanJob(row pgx.Row, extra ...any) (Job, error) {
	var (
		j       Job
		kind    string
		state   string
		args    []byte
		failed  bool
		result  []byte
		failure []byte
	)
	dest := append([]any{&j.ID, &kind, &state, &args, &j.Attempts, &j.MaxAttempts, &j.LastError,
		&result, &failed, &failure, &j.CreatedAt, &j.ScheduledAt, &j.AttemptedAt, &j.FinalizedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Job{}, err
	}
	var ref ItemRef
	if err := json.Unmarshal(args, &ref); err != nil {
		return Job{}, fmt.Errorf("job %d: decode args: %w", j.ID, err)
	}
	j.Type, j.Status = typeOfKind(kind), StatusOf(rivertype.JobState(state), j.Attempts, failed)
	j.ItemID, j.CollectionID, j.Result = ref.ItemID, ref.CollectionID, result
	if err := decodeFailure(failure, &j); err != nil {
		return Job{}, err
	}
	j.LastError = cleanError(j.LastError)
	utc(&j)
	return j, nil
}

// decodeFailure reads the failure a handler stored (null or absent: none).
func decodeFailure(raw []byte, j *Job) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var f enrich.Failure
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("job %d: decode failure: %w", j.ID, err)
	}
	j.Failure = &f
	return nil
}

// cleanError drops the type name River puts before the error of a job its
// handler cancelled: the reason is what readers want.
func cleanError(s string) string {
	return strings.TrimPrefix(s, "JobCancelError: ")
}

func utc(j *Job) {
	j.CreatedAt, j.ScheduledAt = j.CreatedAt.UTC(), j.ScheduledAt.UTC()
	for _, t := range []*time.Time{j.AttemptedAt, j.FinalizedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
}

// jobFromRow converts a row River returned (after an insert).
func jobFromRow(r *rivertype.JobRow) (Job, error) {
	var ref ItemRef
	if err := json.Unmarshal(r.EncodedArgs, &ref); err != nil {
		return Job{}, fmt.Errorf("job %d: decode args: %w", r.ID, err)
	}
	var meta struct {
		Outcome string          `json:"atlas_outcome"`
		Output  json.RawMessage `json:"output"`
		Failure json.RawMessage `json:"atlas_failure"`
	}
	if len(r.Metadata) > 0 {
		if err := json.Unmarshal(r.Metadata, &meta); err != nil {
			return Job{}, fmt.Errorf("job %d: decode metadata: %w", r.ID, err)
		}
	}
	j := Job{ID: r.ID, Type: typeOfKind(r.Kind), Status: StatusOf(r.State, r.Attempt, meta.Outcome == outcomeFailed),
		ItemID: ref.ItemID, CollectionID: ref.CollectionID, Attempts: r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt, AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt}
	if len(meta.Output) > 0 {
		j.Result = meta.Output
	}
	if err := decodeFailure(meta.Failure, &j); err != nil {
		return Job{}, err
	}
	if n := len(r.Errors); n > 0 {
		j.LastError = cleanError(r.Errors[n-1].Error)
	}
	utc(&j)
	return j, nil
}

var getForUserSQL = `
SELECT ` + jobColumns + `, ` + collection.RoleSQL("(j.args->>'collection_id')::uuid", "$2") + `
FROM river_job j
WHERE j.id = $1 AND j.kind IN ` + kindSQLList

// GetForUser reads an item job with userID's role in the job's collection
// (nil: not a member), for collection.AuthorizeChild. A job of another
// kind is not found.
func (store) GetForUser(ctx context.Context, q db.Querier, id int64, userID uuid.UUID) (Job, *collection.Role, error) {
	var scanned *collection.Role
	j, err := scanJob(q.QueryRow(ctx, getForUserSQL, id, userID), &scanned)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, nil, jobNotFound
	}
	if err != nil {
		return Job{}, nil, fmt.Errorf("get job: %w", err)
	}
	return j, scanned, nil
}

// LockForUser is GetForUser that also locks the job's row until tx ends.
func (store) LockForUser(ctx context.Context, tx pgx.Tx, id int64, userID uuid.UUID) (Job, *collection.Role, error) {
	var scanned *collection.Role
	j, err := scanJob(tx.QueryRow(ctx, getForUserSQL+" FOR UPDATE OF j", id, userID), &scanned)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, nil, jobNotFound
	}
	if err != nil {
		return Job{}, nil, fmt.Errorf("lock job: %w", err)
	}
	return j, scanned, nil
}

// ClearOutcome forgets what a job's handler concluded (the permanent-failure
// mark, the stored failure and output) before the job runs again.
func (store) ClearOutcome(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE river_job SET metadata = metadata - '`+outcomeKey+`' - '`+failureKey+`' - 'output' WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("clear job outcome: %w", err)
	}
	return nil
}

// MoveItemJobs points an item's jobs at its new collection.
func (store) MoveItemJobs(ctx context.Context, tx pgx.Tx, itemID, collectionID uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE river_job SET args = jsonb_set(args, '{collection_id}', to_jsonb($2::text))
		WHERE args->>'item_id' = $1 AND kind IN `+kindSQLList, itemID.String(), collectionID.String())
	if err != nil {
		return fmt.Errorf("move item jobs: %w", err)
	}
	return nil
}

// listSQL pages the item jobs of the collections a user belongs to, newest
// first, keyset on id. Served by river_job_atlas_collection_kinds_idx (or
// river_job_atlas_item_kinds_idx with an item filter).
var listSQL = `
SELECT ` + jobColumns + `
FROM river_job j
WHERE j.kind IN ` + kindSQLList + `
  AND j.args->>'collection_id' IN (SELECT v.id::text FROM ` + collection.VisibleIDsSQL("$1") + ` v (id))
  AND ($2::text IS NULL OR j.args->>'item_id' = $2)
  AND ($3::text IS NULL OR j.kind = $3)
  AND (cardinality($4::text[]) = 0 OR j.state::text = ANY ($4::text[]))
  AND ($5::bool IS NULL OR j.state <> 'cancelled'
       OR (j.metadata->>'` + outcomeKey + `' IS NOT DISTINCT FROM '` + outcomeFailed + `') = $5)
  AND ($8::bool IS NULL OR (j.attempt > 0) = $8)
  AND j.id < $6
ORDER BY j.id DESC
LIMIT $7`

// listFilter is List's filter in SQL terms.
type listFilter struct {
	UserID uuid.UUID
	ItemID *string
	Kind   *string
	stateFilter
	BeforeID int64
	Limit    int
}

// List returns one page of jobs matching f.
func (store) List(ctx context.Context, q db.Querier, f listFilter) ([]Job, error) {
	rows, err := q.Query(ctx, listSQL, f.UserID, f.ItemID, f.Kind, f.States, f.CancelledFailed, f.BeforeID, f.Limit, f.Attempted)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Job, error) { return scanJob(row) })
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return out, nil
}

// jobNotFound answers for a job that does not exist or is not an item job
// (a non-member hears the same from collection.AuthorizeChild).
var jobNotFound = atlas.Errorf(atlas.ErrNotFound, "job not found")
