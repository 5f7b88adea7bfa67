package jobs_test

import (
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"

	"github.com/atlasapp/atlas/jobs"
)

func TestStatusOf_MapsEveryRiverState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state     rivertype.JobState
		attempt   int
		permanent bool
		want      jobs.Status
	}{
		{rivertype.JobStateAvailable, 0, false, jobs.StatusQueued},
		{rivertype.JobStateAvailable, 1, false, jobs.StatusRetrying}, // due again after a failed attempt
		{rivertype.JobStateScheduled, 0, false, jobs.StatusQueued},
		{rivertype.JobStateScheduled, 2, false, jobs.StatusRetrying},
		{rivertype.JobStatePending, 0, false, jobs.StatusQueued},
		{rivertype.JobStateRetryable, 1, false, jobs.StatusRetrying},
		{rivertype.JobStateRunning, 1, false, jobs.StatusRunning},
		{rivertype.JobStateCompleted, 1, false, jobs.StatusSucceeded},
		{rivertype.JobStateDiscarded, 5, false, jobs.StatusFailed},
		{rivertype.JobStateCancelled, 1, true, jobs.StatusFailed},
		{rivertype.JobStateCancelled, 0, false, jobs.StatusCancelled},
	}
	seen := map[rivertype.JobState]bool{}
	for _, tt := range tests {
		seen[tt.state] = true
		assert.Equal(t, tt.want, jobs.StatusOf(tt.state, tt.attempt, tt.permanent), "%s attempt %d (permanent failure %v)", tt.state, tt.attempt, tt.permanent)
	}
	for _, s := range rivertype.JobStates() {
		assert.True(t, seen[s], "River state %s has no mapping test", s)
	}
}

// An ARCHIVE_PAGE or FETCH_IMAGES job that failed for good tells why in
// the words its handler recorded; one that will be retried says what it
// could not do.
func TestReason_ArchiveJobsUseTheirRecordedReason(t *testing.T) {
	t.Parallel()
	failed := jobs.Job{Type: jobs.TypeArchivePage, Status: jobs.StatusFailed,
		Result: []byte(`{"outcome":"failed","code":"too_large","reason":"The page is larger than 20 MiB"}`)}
	assert.Equal(t, "The page is larger than 20 MiB", failed.Reason())
	assert.Equal(t, "Couldn't keep a copy of the page", jobs.Job{Type: jobs.TypeArchivePage, Status: jobs.StatusRetrying}.Reason())
	assert.Equal(t, "Couldn't fetch the preview image", jobs.Job{Type: jobs.TypeFetchImages, Status: jobs.StatusFailed}.Reason())
	assert.Empty(t, jobs.Job{Type: jobs.TypeArchivePage, Status: jobs.StatusSucceeded}.Reason())
}
