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
		permanent bool
		want      jobs.Status
	}{
		{rivertype.JobStateAvailable, false, jobs.StatusQueued},
		{rivertype.JobStateScheduled, false, jobs.StatusQueued},
		{rivertype.JobStatePending, false, jobs.StatusQueued},
		{rivertype.JobStateRetryable, false, jobs.StatusQueued},
		{rivertype.JobStateRunning, false, jobs.StatusRunning},
		{rivertype.JobStateCompleted, false, jobs.StatusSucceeded},
		{rivertype.JobStateDiscarded, false, jobs.StatusFailed},
		{rivertype.JobStateCancelled, true, jobs.StatusFailed},
		{rivertype.JobStateCancelled, false, jobs.StatusCancelled},
	}
	seen := map[rivertype.JobState]bool{}
	for _, tt := range tests {
		seen[tt.state] = true
		assert.Equal(t, tt.want, jobs.StatusOf(tt.state, tt.permanent), "%s (permanent failure %v)", tt.state, tt.permanent)
	}
	for _, s := range rivertype.JobStates() {
		assert.True(t, seen[s], "River state %s has no mapping test", s)
	}
}
