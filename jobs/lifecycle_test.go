package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/retry"
)

func pageOf(n int) cursor.Page { return cursor.Page{Limit: n} }

// indexerFunc adapts a function to jobs.ItemIndexer.
type indexerFunc func(ctx context.Context, itemID uuid.UUID) error

func (f indexerFunc) SyncItem(ctx context.Context, itemID uuid.UUID) error { return f(ctx, itemID) }

func (f fixture) reindex(t *testing.T, itemID uuid.UUID) jobs.Job {
	t.Helper()
	j, err := f.env.Jobs.Create(context.Background(), f.owner.ID, jobs.TypeReindexItem, itemID)
	require.NoError(t, err)
	return j
}

func TestJob_QueuedRunningSucceeded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "")
	j := f.reindex(t, it.ID)
	assert.Equal(t, jobs.StatusQueued, j.Status)
	assert.Equal(t, jobs.TypeReindexItem, j.Type)
	assert.Equal(t, it.ID, j.ItemID)
	assert.Equal(t, f.collection, j.CollectionID)
	assert.Equal(t, 0, j.Attempts)
	assert.Equal(t, jobs.ReindexMaxAttempts, j.MaxAttempts)
	assert.Nil(t, j.AttemptedAt)
	assert.Nil(t, j.FinalizedAt)

	started, release := make(chan uuid.UUID, 1), make(chan struct{})
	p := f.testHandlers()
	p.Indexer = indexerFunc(func(ctx context.Context, id uuid.UUID) error {
		started <- id
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	f.startWorker(t, p)

	select {
	case id := <-started:
		require.Equal(t, it.ID, id)
	case <-time.After(15 * time.Second):
		t.Fatal("the worker never started the job")
	}
	running := f.job(t, j.ID)
	assert.Equal(t, jobs.StatusRunning, running.Status)
	assert.Equal(t, 1, running.Attempts)
	assert.NotNil(t, running.AttemptedAt)
	assert.Nil(t, running.FinalizedAt)

	close(release)
	done := f.waitStatus(t, j.ID, jobs.StatusSucceeded)
	assert.Equal(t, 1, done.Attempts)
	assert.NotNil(t, done.FinalizedAt)
	assert.Empty(t, done.LastError)
	assert.Empty(t, done.Result)
}

func TestJob_FailingHandlerIsRetriedThenFails(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "")
	j := f.reindex(t, it.ID)

	var calls atomic.Int32
	p := f.testHandlers()
	p.Indexer = indexerFunc(func(context.Context, uuid.UUID) error {
		return fmt.Errorf("search cluster unavailable (call %d)", calls.Add(1))
	})
	f.startWorker(t, p)

	failed := f.waitStatus(t, j.ID, jobs.StatusFailed)
	assert.Equal(t, int32(jobs.ReindexMaxAttempts), calls.Load(), "every attempt ran the handler")
	assert.Equal(t, jobs.ReindexMaxAttempts, failed.Attempts)
	assert.Contains(t, failed.LastError, "search cluster unavailable")
	assert.Contains(t, failed.LastError, "reindex item "+it.ID.String())
	assert.NotNil(t, failed.FinalizedAt)
}

func TestJob_PermanentIndexerErrorFailsWithoutRetry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	j := f.reindex(t, f.newItem(t, "").ID)
	var calls atomic.Int32
	p := f.testHandlers()
	p.Indexer = indexerFunc(func(context.Context, uuid.UUID) error {
		calls.Add(1)
		return retry.Permanent(errors.New("mapping rejects the document"))
	})
	f.startWorker(t, p)

	failed := f.waitStatus(t, j.ID, jobs.StatusFailed)
	assert.Equal(t, 1, failed.Attempts)
	assert.Equal(t, int32(1), calls.Load())
	assert.Contains(t, failed.LastError, "mapping rejects the document")
	assert.Equal(t, "failed", resultOf(t, failed)["outcome"])
}

func TestJob_TimeoutIsRetried(t *testing.T) {
	t.Parallel()
	f := setup(t)
	j := f.reindex(t, f.newItem(t, "").ID)
	var calls atomic.Int32
	p := f.testHandlers()
	p.ReindexTimeout = 200 * time.Millisecond
	p.Indexer = indexerFunc(func(ctx context.Context, _ uuid.UUID) error {
		if calls.Add(1) == 1 {
			<-ctx.Done() // hangs until the job's timeout cancels it
			return ctx.Err()
		}
		return nil
	})
	f.startWorker(t, p)

	done := f.waitStatus(t, j.ID, jobs.StatusSucceeded)
	assert.Equal(t, 2, done.Attempts)
	assert.Contains(t, done.LastError, "deadline exceeded", "the first attempt's timeout is recorded")
}

func TestJob_PanickingHandlerIsRetried(t *testing.T) {
	t.Parallel()
	f := setup(t)
	j := f.reindex(t, f.newItem(t, "").ID)
	var calls atomic.Int32
	p := f.testHandlers()
	p.Indexer = indexerFunc(func(context.Context, uuid.UUID) error {
		if calls.Add(1) == 1 {
			panic("indexer bug")
		}
		return nil
	})
	f.startWorker(t, p)

	done := f.waitStatus(t, j.ID, jobs.StatusSucceeded)
	assert.Equal(t, 2, done.Attempts)
	assert.Contains(t, done.LastError, "indexer bug")
}

func TestJob_WithoutIndexerKeepsRetrying(t *testing.T) {
	t.Parallel()
	f := setup(t)
	j := f.reindex(t, f.newItem(t, "").ID)
	f.startWorker(t, f.testHandlers()) // no Indexer wired in

	failed := f.waitStatus(t, j.ID, jobs.StatusFailed)
	assert.Equal(t, jobs.ReindexMaxAttempts, failed.Attempts, "a missing indexer is not a permanent failure")
	assert.Contains(t, failed.LastError, jobs.ErrNoIndexer.Error())
}

func TestJob_CreateReturnsTheActiveJobOfTheSameItem(t *testing.T) {
	t.Parallel()
	f := setup(t)
	it := f.newItem(t, "")
	first := f.reindex(t, it.ID)
	again := f.reindex(t, it.ID)
	assert.Equal(t, first.ID, again.ID, "a queued job is not doubled")

	other := f.reindex(t, f.newItem(t, "").ID)
	assert.NotEqual(t, first.ID, other.ID, "uniqueness is per item")

	p := f.testHandlers()
	p.Indexer = indexerFunc(func(context.Context, uuid.UUID) error { return nil })
	f.startWorker(t, p)
	f.waitStatus(t, first.ID, jobs.StatusSucceeded)

	next := f.reindex(t, it.ID)
	assert.NotEqual(t, first.ID, next.ID, "a finished job does not block a new one")
}

// TestWorkers_TwoClientsNeverRunOneJobTwice runs two worker clients (two
// processes, as far as River is concerned) on one queue and checks that
// every job ran exactly once and never concurrently with itself.
func TestWorkers_TwoClientsNeverRunOneJobTwice(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const n = 120
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = f.newItem(t, "").ID
	}

	var (
		mu       sync.Mutex
		inFlight = map[uuid.UUID]int{}
		runs     = map[uuid.UUID]int{}
		overlaps atomic.Int32
		byClient [2]atomic.Int32
	)
	indexer := func(client int) jobs.ItemIndexer {
		return indexerFunc(func(_ context.Context, id uuid.UUID) error {
			mu.Lock()
			inFlight[id]++
			runs[id]++
			if inFlight[id] > 1 {
				overlaps.Add(1)
			}
			mu.Unlock()
			time.Sleep(2 * time.Millisecond) // widen the window a double run would need
			mu.Lock()
			inFlight[id]--
			mu.Unlock()
			byClient[client].Add(1)
			return nil
		})
	}
	for c := range 2 {
		p := f.testHandlers()
		p.Indexer = indexer(c)
		f.startWorker(t, p)
	}
	for _, id := range ids {
		f.reindex(t, id)
	}

	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		var done int
		require.NoError(collect, f.env.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM river_job WHERE kind = 'reindex_item' AND state = 'completed'`).Scan(&done))
		assert.Equal(collect, n, done)
	}, 30*time.Second, 10*time.Millisecond, "all jobs complete")

	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, overlaps.Load(), "a job ran twice at the same time")
	for _, id := range ids {
		assert.Equal(t, 1, runs[id], "item %s synced %d times", id, runs[id])
	}
	t.Logf("client 1 ran %d jobs, client 2 ran %d", byClient[0].Load(), byClient[1].Load())
}
