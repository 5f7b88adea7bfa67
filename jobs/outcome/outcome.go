// Package outcome is how a River job handler says it gave up for good. River
// has no "failed now" state: such a job is cancelled, and the mark set here
// tells it apart, in the jobs API, from a job an operator cancelled. Handlers
// of any package (jobs, archive) use it; the jobs API reads it.
package outcome

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
)

const (
	// Key is the job metadata key set to Failed on a job whose handler gave
	// up for good.
	Key = "atlas_outcome"
	// Failed is Key's value on such a job.
	Failed = "failed"
)

// Fail marks the running job as failed for good, records out as its output
// (what the jobs API shows: at least "outcome" and a "reason" in people's
// words) and returns the cancellation the handler must return.
func Fail(ctx context.Context, err error, out map[string]any) error {
	if mErr := river.MetadataSet(ctx, Key, Failed); mErr != nil {
		return fmt.Errorf("%w (and marking the failure: %v)", err, mErr)
	}
	_ = river.RecordOutput(ctx, out)
	return river.JobCancel(err)
}
