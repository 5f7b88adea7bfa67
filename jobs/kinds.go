package jobs

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/jobs/outcome"
)

// Type is a job type as the API names it.
type Type string

// The job types Atlas runs.
const (
	// TypeEnrichURL fetches an item's source_url and stores what the page
	// says about itself in the item's metadata.
	TypeEnrichURL Type = "ENRICH_URL"
	// TypeReindexItem sends an item to the search index again.
	TypeReindexItem Type = "REINDEX_ITEM"
	// TypeArchivePage keeps a copy of the page behind an item's source_url
	// (package archive; listed, not started through the jobs API).
	TypeArchivePage Type = "ARCHIVE_PAGE"
	// TypeFetchImages makes the thumbnails of a page's preview image and
	// site icon (package archive; listed, not started through the jobs API).
	TypeFetchImages Type = "FETCH_IMAGES"
)

// Types lists the types the jobs API shows.
var Types = []Type{TypeEnrichURL, TypeReindexItem, TypeArchivePage, TypeFetchImages}

// River job kinds of the types. River kinds are lower-case; the API shows
// the Type names.
const (
	KindEnrichURL   = "enrich_url"
	KindReindexItem = "reindex_item"
)

// kindSQLList is the kinds as an SQL list literal. Queries spell the kinds
// out so that the planner can use the partial indexes of migration 00240,
// whose predicate is the same list.
const kindSQLList = `('enrich_url', 'reindex_item', 'archive_page', 'fetch_images')`

// Per-kind retry and time limits.
const (
	// EnrichMaxAttempts is how often an ENRICH_URL job is tried: a site that
	// is down for a while gets a few chances with growing delays.
	EnrichMaxAttempts = 5
	// ReindexMaxAttempts is how often a REINDEX_ITEM job is tried; the
	// search cluster being unavailable for a while is expected.
	ReindexMaxAttempts = 10
)

// Kind returns the River kind of a type.
func (t Type) Kind() (string, error) {
	switch t {
	case TypeEnrichURL:
		return KindEnrichURL, nil
	case TypeReindexItem:
		return KindReindexItem, nil
	}
	return "", atlas.Invalid("type", "must be ENRICH_URL or REINDEX_ITEM")
}

// typeOfKind returns the type of a River kind ("" for a kind that is not an
// Atlas item job).
func typeOfKind(kind string) Type {
	switch kind {
	case KindEnrichURL:
		return TypeEnrichURL
	case KindReindexItem:
		return TypeReindexItem
	case archive.KindArchivePage:
		return TypeArchivePage
	case archive.KindFetchImages:
		return TypeFetchImages
	}
	return ""
}

// listKind returns the River kind of a type the jobs list filters by
// (every type the API shows).
func listKind(t Type) (string, error) {
	switch t {
	case TypeArchivePage:
		return archive.KindArchivePage, nil
	case TypeFetchImages:
		return archive.KindFetchImages, nil
	}
	k, err := t.Kind()
	if err != nil {
		return "", atlas.Invalid("type", "must be ENRICH_URL, REINDEX_ITEM, ARCHIVE_PAGE or FETCH_IMAGES")
	}
	return k, nil
}

// ItemRef is what every item job carries: the item and its collection. The
// collection is stored so that the jobs API can filter jobs by the caller's
// memberships in SQL (river_job.args->>'collection_id'). Only the item id
// takes part in uniqueness.
type ItemRef struct {
	ItemID       uuid.UUID `json:"item_id" river:"unique"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// uniqueWhileActive lets one job per kind and item exist at a time in any
// state that is not final, so an item is never enriched (or reindexed) by
// two jobs at once; once the job is finished a new one may be added.
var uniqueWhileActive = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	},
}

// EnrichURLArgs is the ENRICH_URL job. The URL is read from the item when
// the job runs, so a job always enriches the item's current URL.
type EnrichURLArgs struct {
	ItemRef
}

// Kind implements river.JobArgs.
func (EnrichURLArgs) Kind() string { return KindEnrichURL }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (EnrichURLArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: EnrichMaxAttempts, UniqueOpts: uniqueWhileActive}
}

// ReindexItemArgs is the REINDEX_ITEM job.
type ReindexItemArgs struct {
	ItemRef
}

// Kind implements river.JobArgs.
func (ReindexItemArgs) Kind() string { return KindReindexItem }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ReindexItemArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: ReindexMaxAttempts, UniqueOpts: uniqueWhileActive}
}

// argsFor builds the River args of a job of type t for an item.
func argsFor(t Type, ref ItemRef) (river.JobArgs, error) {
	switch t {
	case TypeEnrichURL:
		return EnrichURLArgs{ItemRef: ref}, nil
	case TypeReindexItem:
		return ReindexItemArgs{ItemRef: ref}, nil
	}
	return nil, atlas.Invalid("type", "must be ENRICH_URL or REINDEX_ITEM")
}

// Status is a job's state as the API names it.
type Status string

// The statuses, mapped from River's job states by StatusOf.
const (
	// StatusQueued: waiting for its first attempt (River: available,
	// scheduled, pending, never attempted).
	StatusQueued Status = "QUEUED"
	// StatusRetrying: an attempt failed with a passing error and the next
	// one is due at ScheduledAt (River: retryable, or waiting again after an
	// attempt).
	StatusRetrying Status = "RETRYING"
	// StatusRunning: a worker is on it (River: running).
	StatusRunning Status = "RUNNING"
	// StatusSucceeded: done (River: completed).
	StatusSucceeded Status = "SUCCEEDED"
	// StatusFailed: given up (River: discarded after max_attempts, or
	// cancelled by its handler because of a permanent failure).
	StatusFailed Status = "FAILED"
	// StatusCancelled: stopped by an operator (River: cancelled by hand).
	StatusCancelled Status = "CANCELLED"
)

// Statuses lists every status.
var Statuses = []Status{StatusQueued, StatusRetrying, StatusRunning, StatusSucceeded, StatusFailed, StatusCancelled}

// outcomeKey is the job metadata key a handler sets to outcomeFailed when it
// cancels its job because of a permanent failure (package outcome).
const (
	outcomeKey    = outcome.Key
	outcomeFailed = outcome.Failed
)

// failureKey is the job metadata key under which a handler stores what its
// latest failed attempt ran into, as an enrich.Failure (null when the
// failure has no such description), so that the reason can be told in
// people's words without parsing the error.
const failureKey = "atlas_failure"

// StatusOf maps a River state to a status. attempt is how many times the
// job has started; permanentFailure reports whether the job's handler marked
// it as failed permanently (see outcomeKey).
func StatusOf(state rivertype.JobState, attempt int, permanentFailure bool) Status {
	switch state {
	case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStatePending, rivertype.JobStateRetryable:
		if attempt > 0 || state == rivertype.JobStateRetryable {
			return StatusRetrying
		}
		return StatusQueued
	case rivertype.JobStateRunning:
		return StatusRunning
	case rivertype.JobStateCompleted:
		return StatusSucceeded
	case rivertype.JobStateDiscarded:
		return StatusFailed
	case rivertype.JobStateCancelled:
		if permanentFailure {
			return StatusFailed
		}
		return StatusCancelled
	}
	return StatusQueued
}

// stateFilter is the SQL form of a status filter.
type stateFilter struct {
	// States are the River states it covers (empty: all).
	States []string
	// CancelledFailed says whether cancelled jobs must (true) or must not
	// (false) carry the permanent-failure mark; nil when either is fine.
	CancelledFailed *bool
	// Attempted says whether jobs must (true) or must not (false) have
	// started before; nil when either is fine.
	Attempted *bool
}

// statusFilter is the SQL form of a status filter.
func statusFilter(s Status) (stateFilter, error) {
	yes, no := true, false
	waiting := []string{"available", "scheduled", "pending", "retryable"}
	switch s {
	case "":
		return stateFilter{States: []string{}}, nil
	case StatusQueued:
		return stateFilter{States: waiting, Attempted: &no}, nil
	case StatusRetrying:
		return stateFilter{States: waiting, Attempted: &yes}, nil
	case StatusRunning:
		return stateFilter{States: []string{"running"}}, nil
	case StatusSucceeded:
		return stateFilter{States: []string{"completed"}}, nil
	case StatusFailed:
		return stateFilter{States: []string{"discarded", "cancelled"}, CancelledFailed: &yes}, nil
	case StatusCancelled:
		return stateFilter{States: []string{"cancelled"}, CancelledFailed: &no}, nil
	}
	return stateFilter{}, atlas.Invalid("status", "must be one of QUEUED, RETRYING, RUNNING, SUCCEEDED, FAILED, CANCELLED")
}

// Job is an Atlas item job as its readers see it.
type Job struct {
	ID           int64
	Type         Type
	Status       Status
	ItemID       uuid.UUID
	CollectionID uuid.UUID
	// Attempts is how many times the job has started.
	Attempts    int
	MaxAttempts int
	// LastError is the error of the latest failed attempt ("" if none).
	LastError string
	// Result is what the handler recorded about its last attempt (a JSON
	// value, or nil).
	Result []byte
	// Failure describes what the latest failed attempt of an ENRICH_URL job
	// ran into; nil if nothing failed or the failure has no description.
	Failure     *enrich.Failure
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
}

// Reason says, as a sentence for people, why a job is retrying, failed or
// was cancelled; "" for a job in any other status. The technical detail is
// LastError.
func (j Job) Reason() string {
	switch j.Status {
	case StatusRetrying, StatusFailed:
	case StatusCancelled:
		return "Cancelled by an operator"
	default:
		return ""
	}
	if j.Failure != nil {
		return j.Failure.Reason()
	}
	switch j.Type {
	case TypeReindexItem:
		return "Couldn't update the search index"
	case TypeArchivePage, TypeFetchImages:
		// Their handlers record why they gave up, in people's words.
		var out struct {
			Reason string `json:"reason"`
		}
		if j.Status == StatusFailed && json.Unmarshal(j.Result, &out) == nil && out.Reason != "" {
			return out.Reason
		}
		if j.Type == TypeArchivePage {
			return "Couldn't keep a copy of the page"
		}
		return "Couldn't fetch the preview image"
	}
	return "Couldn't fetch the page"
}
