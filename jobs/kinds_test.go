package jobs_test

import (
	"testing"
	"time"

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

func TestBackoff_DoublesWithJitterUpToMax(t *testing.T) {
	t.Parallel()
	b := jobs.Backoff{Base: 10 * time.Second, Max: time.Minute}
	within := func(d, want time.Duration) bool {
		return d >= want-want/10 && d <= want+want/10
	}
	for range 100 {
		assert.True(t, within(b.Delay(1, 0), 10*time.Second))
		assert.True(t, within(b.Delay(2, 0), 20*time.Second))
		assert.True(t, within(b.Delay(3, 0), 40*time.Second))
		assert.LessOrEqual(t, b.Delay(4, 0), time.Minute)
		assert.LessOrEqual(t, b.Delay(50, 0), time.Minute, "no overflow on late attempts")
		assert.GreaterOrEqual(t, b.Delay(1, 30*time.Second), 30*time.Second, "a Retry-After floor wins")
		assert.Equal(t, time.Minute, b.Delay(1, time.Hour), "but never beyond Max")
	}
}
