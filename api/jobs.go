package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/jobs"
)

// Job is a background job on an item, as the jobs API shows it.
type Job struct {
	ID            int64      `json:"id" doc:"Job id." example:"42"`
	Type          string     `json:"type" enum:"ENRICH_URL,REINDEX_ITEM,ARCHIVE_PAGE,FETCH_IMAGES" doc:"ENRICH_URL fetches the item's source_url into metadata_json; REINDEX_ITEM re-sends the item to the search index; ARCHIVE_PAGE keeps a copy of the page (when archiving is on); FETCH_IMAGES makes the thumbnails of the page's preview image and site icon (when preview images are on). The last two follow ENRICH_URL by themselves and cannot be started here."`
	Status        string     `json:"status" enum:"QUEUED,RETRYING,RUNNING,SUCCEEDED,FAILED,CANCELLED" doc:"QUEUED (waiting for its first attempt), RETRYING (an attempt failed with a passing error such as a DNS failure, a timeout, a 5xx or a 429; the next one is due at next_attempt_at), RUNNING, SUCCEEDED (done), FAILED (for good: out of attempts, or a permanent failure such as a refused address or a 404), CANCELLED (by an operator)."`
	ItemID        uuid.UUID  `json:"item_id"`
	CollectionID  uuid.UUID  `json:"collection_id"`
	Attempts      int        `json:"attempts" doc:"How many times the job has started."`
	MaxAttempts   int        `json:"max_attempts"`
	Reason        *string    `json:"reason" doc:"Why the job is RETRYING, FAILED or CANCELLED, as a sentence for people; null in any other status." example:"Couldn't find the server notes.example.com (DNS)"`
	NextAttempt   *int       `json:"next_attempt" doc:"For a RETRYING job, the number of the attempt due next (\"attempt 2 of 5\" with max_attempts); null otherwise."`
	NextAttemptAt *time.Time `json:"next_attempt_at" doc:"For a RETRYING job, when the next attempt is due; null otherwise."`
	LastError     *string    `json:"last_error" doc:"Technical detail: the error of the latest failed attempt; null if none failed."`
	Result        any        `json:"result" doc:"What the job's last attempt recorded (for example {\"outcome\": \"enriched\", \"changed\": true}); null if nothing."`
	CreatedAt     time.Time  `json:"created_at"`
	ScheduledAt   time.Time  `json:"scheduled_at" doc:"When the job is (or was) due to run; for a retry, when the next attempt is due."`
	AttemptedAt   *time.Time `json:"attempted_at" doc:"Start of the latest attempt; null before the first."`
	FinalizedAt   *time.Time `json:"finalized_at" doc:"When the job succeeded, failed or was cancelled; null while it may still run."`
}

func toJob(j jobs.Job) Job {
	out := Job{ID: j.ID, Type: string(j.Type), Status: string(j.Status), ItemID: j.ItemID, CollectionID: j.CollectionID,
		Attempts: j.Attempts, MaxAttempts: j.MaxAttempts, CreatedAt: j.CreatedAt, ScheduledAt: j.ScheduledAt,
		AttemptedAt: j.AttemptedAt, FinalizedAt: j.FinalizedAt}
	if j.LastError != "" {
		out.LastError = &j.LastError
	}
	if r := j.Reason(); r != "" {
		out.Reason = &r
	}
	if j.Status == jobs.StatusRetrying {
		next, at := j.Attempts+1, j.ScheduledAt
		out.NextAttempt, out.NextAttemptAt = &next, &at
	}
	if len(j.Result) > 0 {
		_ = json.Unmarshal(j.Result, &out.Result)
	}
	return out
}

// CreateJobInput starts a job on an item.
type CreateJobInput struct {
	Body struct {
		Type   string    `json:"type" enum:"ENRICH_URL,REINDEX_ITEM" example:"ENRICH_URL"`
		ItemID uuid.UUID `json:"item_id" doc:"The item to work on; ENRICH_URL needs one with a source_url."`
	}
}

// JobOutput answers with one job.
type JobOutput struct {
	Location string `header:"Location"`
	Body     Job
}

// JobPath addresses one job.
type JobPath struct {
	ID int64 `path:"id" minimum:"1" doc:"Job id."`
}

// ListJobsInput filters and pages the caller's jobs.
type ListJobsInput struct {
	PageParams
	Status string              `query:"status" enum:"QUEUED,RETRYING,RUNNING,SUCCEEDED,FAILED,CANCELLED" doc:"Only jobs in this status."`
	Type   string              `query:"type" enum:"ENRICH_URL,REINDEX_ITEM,ARCHIVE_PAGE,FETCH_IMAGES" doc:"Only jobs of this type."`
	ItemID Optional[uuid.UUID] `query:"item_id" format:"uuid" doc:"Only the jobs of this item."`
}

func (s *Server) registerJobs() {
	tags := []string{"Jobs"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-job", Method: http.MethodPost, Path: "/api/v1/jobs",
		Summary: "Start a job on an item (owners, editors)", Tags: tags, Security: secured,
		Description: "Queues the job and answers at once; poll GET /api/v1/jobs/{id} for its progress. " +
			"While a job of the same type for the item is queued or running, that job is returned instead of a new one.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateJobInput) (*JobOutput, error) {
		j, err := s.jobs.Create(ctx, caller(ctx), jobs.Type(in.Body.Type), in.Body.ItemID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &JobOutput{Location: "/api/v1/jobs/" + strconv.FormatInt(j.ID, 10), Body: toJob(j)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-job", Method: http.MethodGet, Path: "/api/v1/jobs/{id}",
		Summary: "Get a job (members of its item's collection)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *JobPath) (*JobOutput, error) {
		j, err := s.jobs.Get(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &JobOutput{Body: toJob(j)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "retry-job", Method: http.MethodPost, Path: "/api/v1/jobs/{id}/retry",
		Summary: "Try a job again now (owners, editors)", Tags: tags, Security: secured,
		Description: "Makes a RETRYING, FAILED, CANCELLED or QUEUED job available to run at once (a job out of attempts gets one more). " +
			"A RUNNING or SUCCEEDED job answers 409.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *JobPath) (*JobOutput, error) {
		j, err := s.jobs.Retry(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &JobOutput{Body: toJob(j)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-jobs", Method: http.MethodGet, Path: "/api/v1/jobs",
		Summary: "List the jobs of the items in your collections, newest first", Tags: tags, Security: secured,
		Description: "Finished jobs are kept for a while (River's retention: a day for succeeded and cancelled jobs, a week for failed ones).",
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ListJobsInput) (*ListOutput[Job], error) {
		p := jobs.ListParams{Status: jobs.Status(in.Status), Type: jobs.Type(in.Type), ItemID: in.ItemID.Ptr(), Page: in.page()}
		list, next, err := s.jobs.List(ctx, caller(ctx), p)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(list, next, toJob), nil
	})
}
