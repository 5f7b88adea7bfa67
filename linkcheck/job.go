package linkcheck

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Kind is the River kind of the link check sweep.
const Kind = "link_check_sweep"

// JobArgs are the (empty) arguments of a sweep.
type JobArgs struct{}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return Kind }

// InsertOpts implements river.JobArgsWithInsertOpts: one sweep at a time,
// no retries (the next one comes within a minute).
func (JobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// Worker runs sweeps.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	checker *Checker
}

// NewWorker returns the sweep's River worker.
func NewWorker(c *Checker) *Worker { return &Worker{checker: c} }

// Timeout implements river.Worker: a sweep's links with their host
// intervals, and a margin.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return w.checker.lease() }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, _ *river.Job[JobArgs]) error {
	_, err := w.checker.Sweep(ctx)
	return err
}

// PeriodicJob is the sweep, every Params.SweepEvery of c.
func PeriodicJob(c *Checker) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(c.p.SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return JobArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
