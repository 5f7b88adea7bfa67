package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/testfactory"
)

// fixture is the domain services on a fresh database with one user who
// owns one collection.
type fixture struct {
	env        *testfactory.Env
	owner      testfactory.User
	collection uuid.UUID
}

func setup(t *testing.T) fixture {
	t.Helper()
	env := testfactory.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	return fixture{env: env, owner: owner, collection: c.ID}
}

// testHandlers are handler settings for tests: the fetcher may reach the
// test's httptest servers on loopback (an explicit test-only setting) and
// retries come after milliseconds instead of seconds.
func (f fixture) testHandlers() jobs.HandlerParams {
	fast := retry.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	return jobs.HandlerParams{
		Pool:        f.env.Pool,
		Items:       f.env.Items,
		Fetch:       enrich.FetcherOpts{AllowLoopback: true, TotalTimeout: 5 * time.Second, ConnectTimeout: time.Second},
		EnrichRetry: fast, ReindexRetry: fast,
	}
}

// startWorker starts a worker client with the given handlers, stopped when
// the test ends. It does not publish events: they stay in
// atlas_outbox, where tests look at them.
func (f fixture) startWorker(t *testing.T, p jobs.HandlerParams) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: f.env.Pool, Register: jobs.Register(p), PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, c.Stop(ctx))
	})
	return c
}

// newItem creates an item (with a source_url if url is not empty).
func (f fixture) newItem(t *testing.T, url string) item.Item {
	t.Helper()
	return f.env.NewItem(t, f.owner, f.collection, item.CreateParams{SourceURL: url})
}

// job reads a job as the owner sees it (t may be a require.EventuallyWithT
// condition's CollectT).
func (f fixture) job(t testfactory.T, id int64) jobs.Job {
	t.Helper()
	j, err := f.env.Jobs.Get(context.Background(), f.owner.ID, id)
	require.NoError(t, err)
	return j
}

// itemJobs lists an item's jobs, newest first.
func (f fixture) itemJobs(t *testing.T, itemID uuid.UUID) []jobs.Job {
	t.Helper()
	list, _, err := f.env.Jobs.List(context.Background(), f.owner.ID, jobs.ListParams{ItemID: &itemID, Page: pageOf(100)})
	require.NoError(t, err)
	return list
}

// jobOfType returns an item's one job of type typ.
func (f fixture) jobOfType(t *testing.T, itemID uuid.UUID, typ jobs.Type) jobs.Job {
	t.Helper()
	list, _, err := f.env.Jobs.List(context.Background(), f.owner.ID, jobs.ListParams{ItemID: &itemID, Type: typ, Page: pageOf(10)})
	require.NoError(t, err)
	require.Len(t, list, 1, "%s jobs of item %s", typ, itemID)
	return list[0]
}

// onlyJob returns the one job of an item.
func (f fixture) onlyJob(t *testing.T, itemID uuid.UUID) jobs.Job {
	t.Helper()
	list := f.itemJobs(t, itemID)
	require.Len(t, list, 1, "jobs of item %s", itemID)
	return list[0]
}

// waitStatus polls a job until it has status want, failing after 15 s.
func (f fixture) waitStatus(t *testing.T, id int64, want jobs.Status) jobs.Job {
	t.Helper()
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Equal(collect, want, f.job(collect, id).Status)
	}, 15*time.Second, 10*time.Millisecond, "job %d never became %s", id, want)
	return f.job(t, id)
}

// getItem reads an item as the owner (t may be a require.EventuallyWithT
// condition's CollectT).
func (f fixture) getItem(t testfactory.T, id uuid.UUID) item.Item {
	t.Helper()
	it, err := f.env.Items.Get(context.Background(), f.owner.ID, id)
	require.NoError(t, err)
	return it
}

// metadataOf decodes an item's metadata.
func metadataOf(t *testing.T, it item.Item) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(it.Metadata, &m))
	return m
}

// resultOf decodes a job's recorded result.
func resultOf(t *testing.T, j jobs.Job) map[string]any {
	t.Helper()
	require.NotEmpty(t, j.Result, "job %d recorded no result", j.ID)
	var m map[string]any
	require.NoError(t, json.Unmarshal(j.Result, &m))
	return m
}

// itemUpdatedEvents counts the ItemUpdated events the outbox holds for an
// item that change its metadata.
func (f fixture) itemUpdatedEvents(t *testing.T, itemID uuid.UUID) int {
	t.Helper()
	n := 0
	for _, e := range f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &itemID, Type: events.ItemUpdated}) {
		var data struct{ Changes map[string]json.RawMessage }
		require.NoError(t, json.Unmarshal(e.Envelope.Data, &data))
		if _, ok := data.Changes["metadata_json"]; ok {
			n++
		}
	}
	return n
}

// serve starts an httptest server on 127.0.0.1 for the test's lifetime.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
