package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

// jobJSON is a job as the API answers it.
type jobJSON struct {
	ID            int64          `json:"id"`
	Type          string         `json:"type"`
	Status        string         `json:"status"`
	ItemID        uuid.UUID      `json:"item_id"`
	CollectionID  uuid.UUID      `json:"collection_id"`
	Attempts      int            `json:"attempts"`
	MaxAttempts   int            `json:"max_attempts"`
	Reason        *string        `json:"reason"`
	NextAttempt   *int           `json:"next_attempt"`
	NextAttemptAt *string        `json:"next_attempt_at"`
	LastError     *string        `json:"last_error"`
	Result        map[string]any `json:"result"`
	CreatedAt     *string        `json:"created_at"`
	ScheduledAt   *string        `json:"scheduled_at"`
	AttemptedAt   *string        `json:"attempted_at"`
	FinalizedAt   *string        `json:"finalized_at"`
}

func postJob(t *testing.T, env *apitest.Env, token, typ string, itemID uuid.UUID) (apitest.Response, jobJSON) {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/api/v1/jobs", token, map[string]any{"type": typ, "item_id": itemID})
	var j jobJSON
	if resp.Status == http.StatusAccepted {
		resp.JSON(t, &j)
	}
	return resp, j
}

// setJobState puts a job in a River state, as a worker would (the
// transitions themselves are tested in package jobs). permanent marks a
// cancelled job as failed by its handler.
func setJobState(t *testing.T, env *apitest.Env, id int64, state string, permanent bool) {
	t.Helper()
	meta := `{}`
	if permanent {
		meta = `{"atlas_outcome": "failed"}`
	}
	_, err := env.Pool.Exec(context.Background(), `
		UPDATE river_job SET state = $2::river_job_state, metadata = metadata || $3::jsonb,
			attempt = CASE WHEN $2 IN ('available', 'scheduled', 'pending') THEN 0 ELSE 1 END,
			attempted_at = CASE WHEN $2 IN ('available', 'scheduled', 'pending') THEN NULL ELSE now() END,
			finalized_at = CASE WHEN $2 IN ('completed', 'cancelled', 'discarded') THEN now() END,
			errors = CASE WHEN $2 IN ('retryable', 'cancelled', 'discarded') THEN ARRAY['{"error": "boom", "attempt": 1}'::jsonb] END
		WHERE id = $1`, id, state, meta)
	require.NoError(t, err)
}

func TestJobs_CreateAndGet(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/post"})

	resp, j := postJob(t, env, owner.Token, "ENRICH_URL", it.ID)
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	assert.Equal(t, fmt.Sprintf("/api/v1/jobs/%d", j.ID), resp.Header.Get("Location"))
	assert.Equal(t, "ENRICH_URL", j.Type)
	assert.Equal(t, "QUEUED", j.Status)
	assert.Equal(t, it.ID, j.ItemID)
	assert.Equal(t, c.ID, j.CollectionID)
	assert.Equal(t, 0, j.Attempts)
	assert.Equal(t, 5, j.MaxAttempts)
	assert.Nil(t, j.LastError)
	assert.Nil(t, j.Result)
	assert.NotNil(t, j.CreatedAt)
	assert.NotNil(t, j.ScheduledAt)
	assert.Nil(t, j.AttemptedAt)
	assert.Nil(t, j.FinalizedAt)

	// Creating the item already queued its enrichment: that job is returned.
	all := walk(t, env, owner.Token, "/api/v1/jobs?item_id="+it.ID.String())
	require.Len(t, all, 1)
	assert.EqualValues(t, j.ID, all[0]["id"])

	get := env.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", j.ID), owner.Token, nil)
	require.Equal(t, http.StatusOK, get.Status, "%s", get.Body)
	var got jobJSON
	get.JSON(t, &got)
	assert.Equal(t, j, got)

	_, re := postJob(t, env, owner.Token, "REINDEX_ITEM", it.ID)
	assert.Equal(t, "REINDEX_ITEM", re.Type)
	assert.Equal(t, 10, re.MaxAttempts)
	assert.NotEqual(t, j.ID, re.ID)

	setJobState(t, env, j.ID, "cancelled", true)
	get = env.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", j.ID), owner.Token, nil)
	get.JSON(t, &got)
	assert.Equal(t, "FAILED", got.Status)
	require.NotNil(t, got.LastError)
	assert.Equal(t, "boom", *got.LastError)
	assert.NotNil(t, got.FinalizedAt)
}

func TestJobs_CreateRejectsBadRequests(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, viewer, outsider := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, viewer, collection.RoleViewer)
	noURL := env.NewItem(t, owner, c.ID, item.CreateParams{})

	tests := []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"unknown type", owner.Token, map[string]any{"type": "SEND_EMAIL", "item_id": noURL.ID}, http.StatusUnprocessableEntity},
		{"missing item", owner.Token, map[string]any{"type": "REINDEX_ITEM"}, http.StatusUnprocessableEntity},
		{"enrich without a URL", owner.Token, map[string]any{"type": "ENRICH_URL", "item_id": noURL.ID}, http.StatusUnprocessableEntity},
		{"no such item", owner.Token, map[string]any{"type": "REINDEX_ITEM", "item_id": uuid.New()}, http.StatusNotFound},
		{"viewer", viewer.Token, map[string]any{"type": "REINDEX_ITEM", "item_id": noURL.ID}, http.StatusForbidden},
		{"outsider", outsider.Token, map[string]any{"type": "REINDEX_ITEM", "item_id": noURL.ID}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.Do(t, http.MethodPost, "/api/v1/jobs", tt.token, tt.body)
			require.Equal(t, tt.status, resp.Status, "%s", resp.Body)
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		})
	}
	all := walk(t, env, owner.Token, "/api/v1/jobs")
	assert.Empty(t, all, "no job was created")
}

func TestJobs_GetHidesOtherJobs(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, outsider := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{})
	_, j := postJob(t, env, owner.Token, "REINDEX_ITEM", it.ID)

	var otherJob int64 // a River job of another kind: not an item job
	require.NoError(t, env.Pool.QueryRow(context.Background(),
		`INSERT INTO river_job (kind, args, queue, max_attempts) VALUES ('not_an_item_job', '{}', 'nobody', 1) RETURNING id`).Scan(&otherJob))

	for name, tc := range map[string]struct {
		token string
		id    int64
		want  int
	}{
		"member":          {owner.Token, j.ID, http.StatusOK},
		"outsider":        {outsider.Token, j.ID, http.StatusNotFound},
		"no such job":     {owner.Token, j.ID + 1_000_000, http.StatusNotFound},
		"not an item job": {owner.Token, otherJob, http.StatusNotFound},
		"not a job id":    {owner.Token, 0, http.StatusBadRequest},
		"no token":        {"", j.ID, http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", tc.id), tc.token, nil)
			require.Equal(t, tc.want, resp.Status, "%s", resp.Body)
		})
	}
}

func TestJobs_ListFiltersByStatusTypeAndItem(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, editor, outsider := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, editor, collection.RoleEditor)
	other := env.NewCollection(t, outsider)

	// One item per status; each item gets an ENRICH_URL job on creation.
	states := []struct {
		state     string
		permanent bool
		status    string
	}{
		{"available", false, "QUEUED"}, {"retryable", false, "RETRYING"}, {"scheduled", false, "QUEUED"},
		{"running", false, "RUNNING"}, {"completed", false, "SUCCEEDED"},
		{"discarded", false, "FAILED"}, {"cancelled", true, "FAILED"}, {"cancelled", false, "CANCELLED"},
	}
	byStatus := map[string][]int64{}
	var items []uuid.UUID
	for _, s := range states {
		it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/" + s.state})
		items = append(items, it.ID)
		jobs := walk(t, env, owner.Token, "/api/v1/jobs?item_id="+it.ID.String())
		require.Len(t, jobs, 1)
		id := int64(jobs[0]["id"].(float64))
		setJobState(t, env, id, s.state, s.permanent)
		byStatus[s.status] = append(byStatus[s.status], id)
	}
	_, reindex := postJob(t, env, editor.Token, "REINDEX_ITEM", items[0])
	byStatus["QUEUED"] = append(byStatus["QUEUED"], reindex.ID)
	// The outsider's own job, in their collection.
	theirs := env.NewItem(t, outsider, other.ID, item.CreateParams{SourceURL: "https://example.com/theirs"})

	ids := func(list []map[string]any) []int64 {
		out := make([]int64, 0, len(list))
		for _, j := range list {
			out = append(out, int64(j["id"].(float64)))
		}
		return out
	}
	for status, want := range byStatus {
		t.Run(status, func(t *testing.T) {
			got := walk(t, env, editor.Token, "/api/v1/jobs?status="+status)
			assert.ElementsMatch(t, want, ids(got))
			for _, j := range got {
				assert.Equal(t, status, j["status"])
			}
		})
	}
	t.Run("type", func(t *testing.T) {
		got := walk(t, env, editor.Token, "/api/v1/jobs?type=REINDEX_ITEM")
		assert.Equal(t, []int64{reindex.ID}, ids(got))
		assert.Len(t, walk(t, env, editor.Token, "/api/v1/jobs?type=ENRICH_URL"), len(states))
	})
	t.Run("item", func(t *testing.T) {
		got := walk(t, env, editor.Token, "/api/v1/jobs?item_id="+items[0].String())
		assert.Len(t, got, 2)
		got = walk(t, env, editor.Token, "/api/v1/jobs?item_id="+items[0].String()+"&type=ENRICH_URL&status=QUEUED")
		assert.Equal(t, byStatus["QUEUED"][:1], ids(got))
	})
	t.Run("only the caller's collections", func(t *testing.T) {
		mine := walk(t, env, owner.Token, "/api/v1/jobs")
		assert.Len(t, mine, len(states)+1)
		got := walk(t, env, outsider.Token, "/api/v1/jobs")
		require.Len(t, got, 1, "the outsider sees only their own job")
		assert.Equal(t, theirs.ID.String(), got[0]["item_id"])
		assert.Empty(t, walk(t, env, outsider.Token, "/api/v1/jobs?item_id="+items[0].String()))
	})
	t.Run("invalid filters", func(t *testing.T) {
		for _, q := range []string{"status=DONE", "type=OTHER", "item_id=not-a-uuid", "limit=0", "limit=101"} {
			resp := env.Do(t, http.MethodGet, "/api/v1/jobs?"+q, editor.Token, nil)
			assert.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", q, resp.Body)
		}
	})
}

func TestJobs_ListPagesNewestFirst(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, other := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, other, collection.RoleViewer)
	const n = 23
	var want []int64
	for range n {
		it := env.NewItem(t, owner, c.ID, item.CreateParams{})
		_, j := postJob(t, env, owner.Token, "REINDEX_ITEM", it.ID)
		want = append([]int64{j.ID}, want...)
	}

	got := walk(t, env, owner.Token, "/api/v1/jobs?limit=5")
	require.Len(t, got, n)
	for i, j := range got {
		assert.EqualValues(t, want[i], j["id"], "position %d", i)
	}

	first := env.Do(t, http.MethodGet, "/api/v1/jobs?limit=5", owner.Token, nil)
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	first.JSON(t, &page)
	require.NotNil(t, page.NextCursor)
	// A cursor only continues the list it came from.
	for _, tc := range []struct {
		name, token, path string
	}{
		{"tampered", owner.Token, "/api/v1/jobs?limit=5&cursor=" + *page.NextCursor + "x"},
		{"another filter", owner.Token, "/api/v1/jobs?limit=5&status=QUEUED&cursor=" + *page.NextCursor},
		{"another user", other.Token, "/api/v1/jobs?limit=5&cursor=" + *page.NextCursor},
	} {
		resp := env.Do(t, http.MethodGet, tc.path, tc.token, nil)
		assert.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", tc.name, resp.Body)
	}
}

// TestJobs_RetryingAndFailedJobsSayWhyInWords checks the fields the
// dashboard shows: the state, the reason sentence computed from the stored
// failure, the next attempt and the technical detail apart.
func TestJobs_RetryingAndFailedJobsSayWhyInWords(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	jobOf := func(url, state, failure string, permanent bool) int64 {
		it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: url})
		list := walk(t, env, owner.Token, "/api/v1/jobs?item_id="+it.ID.String())
		require.Len(t, list, 1)
		id := int64(list[0]["id"].(float64))
		setJobState(t, env, id, state, permanent)
		_, err := env.Pool.Exec(context.Background(), `UPDATE river_job SET metadata = metadata || jsonb_build_object('atlas_failure', $2::jsonb),
			scheduled_at = CASE WHEN state = 'retryable' THEN now() + interval '1 hour' ELSE scheduled_at END WHERE id = $1`, id, failure)
		require.NoError(t, err)
		return id
	}
	tests := []struct {
		name, url, state, failure string
		permanent                 bool
		status, reason            string
	}{
		{"dns", "https://notes.example.com/", "retryable", `{"kind": "dns", "host": "notes.example.com"}`, false, "RETRYING", "Couldn't find the server notes.example.com (DNS)"},
		{"timeout", "https://slow.example.com/", "retryable", `{"kind": "timeout", "timeout_seconds": 10}`, false, "RETRYING", "Timed out after 10 s"},
		{"not found", "https://example.com/gone", "cancelled", `{"kind": "status", "status_code": 404, "permanent": true}`, true, "FAILED", "The site answered 404"},
		{"blocked", "http://10.0.0.1/", "cancelled", `{"kind": "blocked", "permanent": true}`, true, "FAILED", "Blocked: the address is on a private network"},
		{"out of attempts, undescribed", "https://example.com/x", "discarded", `null`, false, "FAILED", "Couldn't fetch the page"},
		{"cancelled by an operator", "https://example.com/y", "cancelled", `null`, false, "CANCELLED", "Cancelled by an operator"},
		{"done", "https://example.com/z", "completed", `null`, false, "SUCCEEDED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := jobOf(tt.url, tt.state, tt.failure, tt.permanent)
			resp := env.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", id), owner.Token, nil)
			require.Equal(t, http.StatusOK, resp.Status, resp.Body)
			var j jobJSON
			resp.JSON(t, &j)
			assert.Equal(t, tt.status, j.Status)
			if tt.reason == "" {
				assert.Nil(t, j.Reason)
			} else if assert.NotNil(t, j.Reason) {
				assert.Equal(t, tt.reason, *j.Reason)
				assert.NotContains(t, *j.Reason, "boom", "the technical detail stays in last_error")
			}
			if tt.status == "RETRYING" {
				require.NotNil(t, j.NextAttempt)
				assert.Equal(t, 2, *j.NextAttempt, "attempt 2 of 5")
				assert.Equal(t, 5, j.MaxAttempts)
				assert.NotNil(t, j.NextAttemptAt)
			} else {
				assert.Nil(t, j.NextAttempt)
				assert.Nil(t, j.NextAttemptAt)
			}
		})
	}
}

func TestJobs_TryAgain(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, viewer := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, viewer, collection.RoleViewer)
	jobIn := func(state string, permanent bool) int64 {
		it := env.NewItem(t, owner, c.ID, item.CreateParams{SourceURL: "https://example.com/" + state})
		list := walk(t, env, owner.Token, "/api/v1/jobs?item_id="+it.ID.String())
		require.Len(t, list, 1)
		id := int64(list[0]["id"].(float64))
		setJobState(t, env, id, state, permanent)
		return id
	}
	retry := func(id int64, token string) apitest.Response {
		return env.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/retry", id), token, nil)
	}

	failed := jobIn("cancelled", true)
	assert.Equal(t, http.StatusForbidden, retry(failed, viewer.Token).Status)
	resp := retry(failed, owner.Token)
	require.Equal(t, http.StatusOK, resp.Status, resp.Body)
	var j jobJSON
	resp.JSON(t, &j)
	assert.Equal(t, "RETRYING", j.Status, "due again at once after one attempt")
	assert.Nil(t, j.FinalizedAt)

	for _, state := range []string{"running", "completed"} {
		resp := retry(jobIn(state, false), owner.Token)
		assert.Equal(t, http.StatusConflict, resp.Status, "%s: %s", state, resp.Body)
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	}
	assert.Equal(t, http.StatusNotFound, retry(999999999, owner.Token).Status)
}
