package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/jobs"
)

// holdArgs is a test job that holds its worker until the test lets go.
type holdArgs struct {
	N int `json:"n"`
}

func (holdArgs) Kind() string { return "test_hold" }

// holdWorker counts the holdArgs jobs running at once per queue.
type holdWorker struct {
	river.WorkerDefaults[holdArgs]

	mu      sync.Mutex
	running map[string]int
	most    map[string]int
	started chan string // the queue of every job that starts
	release chan struct{}
}

func (w *holdWorker) Work(ctx context.Context, j *river.Job[holdArgs]) error {
	w.mu.Lock()
	w.running[j.Queue]++
	w.most[j.Queue] = max(w.most[j.Queue], w.running[j.Queue])
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.running[j.Queue]--
		w.mu.Unlock()
	}()
	w.started <- j.Queue
	select {
	case <-w.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The bulk queue, where an import's enrichment goes, runs at most
// BulkWorkers jobs at once however many are waiting, and a job on the
// default queue (a link added by hand) starts while the bulk queue is full.
func TestWorkerClient_BulkQueueIsBoundedAndApartFromTheDefaultQueue(t *testing.T) {
	t.Parallel()
	f := setup(t)
	w := &holdWorker{running: map[string]int{}, most: map[string]int{},
		started: make(chan string, 16), release: make(chan struct{})}
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: f.env.Pool, BulkWorkers: 2, PollInterval: 50 * time.Millisecond,
		Register: func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) }})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})

	ctx := context.Background()
	bulk := make([]river.InsertManyParams, 6)
	for i := range bulk {
		bulk[i] = river.InsertManyParams{Args: holdArgs{N: i}, InsertOpts: &river.InsertOpts{Queue: jobs.QueueBulk}}
	}
	_, err = c.InsertMany(ctx, bulk)
	require.NoError(t, err)
	waitStarted := func(queue string) {
		t.Helper()
		select {
		case q := <-w.started:
			require.Equal(t, queue, q)
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s job started", queue)
		}
	}
	waitStarted(jobs.QueueBulk)
	waitStarted(jobs.QueueBulk)
	// Both bulk workers are held: the next bulk job must wait, a default
	// one must not.
	select {
	case q := <-w.started:
		t.Fatalf("a third job started on %s while two bulk jobs held their workers", q)
	case <-time.After(300 * time.Millisecond):
	}
	_, err = c.Insert(ctx, holdArgs{N: 100}, nil)
	require.NoError(t, err)
	waitStarted(river.QueueDefault)

	close(w.release)
	for range 4 {
		waitStarted(jobs.QueueBulk)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Equal(t, 2, w.most[jobs.QueueBulk], "bulk jobs at once")
}

// The shortest rescue the configuration allows (ATLAS_JOB_RESCUE_AFTER=30s,
// what the chaos run sets) starts a worker: a job without a timeout of its
// own then times out before River would rescue it, instead of River
// refusing the settings and the worker exiting at every start.
func TestWorkerClient_StartsWithTheShortestRescue(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: f.env.Pool, RescueStuckJobsAfter: 30 * time.Second,
		Register: func(ws *river.Workers) error { return river.AddWorkerSafely(ws, &holdWorker{}) }})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Stop(ctx))
}
