package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item"
)

// eventsEnv is an API whose worker publishes to a topic of its own, and a
// reader of that topic.
func eventsEnv(t *testing.T) (*apitest.Env, *brokertest.Reader) {
	t.Helper()
	p := newPipeline(t, apitest.New(t), true)
	return p.Env, p.reader
}

func TestEvents_EveryWritePublishesOneValidEvent(t *testing.T) {
	t.Parallel()
	env, reader := eventsEnv(t)
	own, other, extra := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, own)
	env.AddMember(t, own, c.ID, other, collection.RoleViewer)
	it := env.NewItem(t, own, c.ID, item.CreateParams{Title: "Old", Tags: []string{"a"}})
	doomed := env.NewCollection(t, own)
	cPath := "/api/v1/collections/" + c.ID.String()

	cases := []struct {
		name     string
		method   string
		path     string
		body     any
		status   int
		want     events.Type
		entityID func(resp apitest.Response) string
		check    func(t *testing.T, env events.Envelope)
	}{
		{"create collection", http.MethodPost, "/api/v1/collections", map[string]any{"name": "Fresh"}, 201, events.CollectionCreated,
			func(r apitest.Response) string { return r.Map(t)["id"].(string) }, nil},
		{"update collection", http.MethodPatch, cPath, map[string]any{"name": "Renamed"}, 200, events.CollectionUpdated,
			func(apitest.Response) string { return c.ID.String() }, func(t *testing.T, e events.Envelope) {
				require.JSONEq(t, fmt.Sprintf(`{"changes":{"name":{"before":%q,"after":"Renamed"}}}`, c.Name), string(e.Data))
			}},
		{"add member", http.MethodPost, cPath + "/members", map[string]any{"email": extra.Email, "role": "editor"}, 201, events.MembershipAdded,
			func(apitest.Response) string { return extra.ID.String() }, func(t *testing.T, e events.Envelope) {
				require.NotContains(t, string(e.Data), extra.Email, "events carry user ids, not emails")
			}},
		{"change role", http.MethodPatch, cPath + "/members/" + other.ID.String(), map[string]any{"role": "editor"}, 200, events.MembershipRoleChanged,
			func(apitest.Response) string { return other.ID.String() }, func(t *testing.T, e events.Envelope) {
				require.Contains(t, string(e.Data), `"role":{"after":"editor","before":"viewer"}`)
			}},
		{"remove member", http.MethodDelete, cPath + "/members/" + other.ID.String(), nil, 204, events.MembershipRemoved,
			func(apitest.Response) string { return other.ID.String() }, nil},
		{"create item", http.MethodPost, cPath + "/items", map[string]any{"title": "New", "tags": []string{"x"}}, 201, events.ItemCreated,
			func(r apitest.Response) string { return r.Map(t)["id"].(string) }, nil},
		{"update item", http.MethodPatch, "/api/v1/items/" + it.ID.String(), map[string]any{"title": "Newer", "tags": []string{"b"}}, 200, events.ItemUpdated,
			func(apitest.Response) string { return it.ID.String() }, func(t *testing.T, e events.Envelope) {
				require.JSONEq(t, `{"version":2,"changes":{"title":{"before":"Old","after":"Newer"},"tags":{"before":["a"],"after":["b"]}}}`, string(e.Data))
			}},
		{"delete item", http.MethodDelete, "/api/v1/items/" + it.ID.String(), nil, 204, events.ItemDeleted,
			func(apitest.Response) string { return it.ID.String() }, nil},
		{"delete collection", http.MethodDelete, "/api/v1/collections/" + doomed.ID.String(), nil, 204, events.CollectionDeleted,
			func(apitest.Response) string { return doomed.ID.String() }, nil},
	}
	type sent struct {
		reqID, traceID, entityID string
	}
	done := make([]sent, len(cases))
	for i, tc := range cases {
		resp, reqID, traceID := traced(t, env, tc.method, tc.path, own.Token, tc.body)
		require.Equal(t, tc.status, resp.Status, "%s: %s", tc.name, resp.Body)
		done[i] = sent{reqID, traceID, tc.entityID(resp)}
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := done[i]
			reader.WaitFor(t, eventWait, brokertest.RequestID(s.reqID))
			reader.CatchUp(t, eventWait)
			got := reader.All(brokertest.RequestID(s.reqID))
			require.Len(t, got, 1, "exactly one event per write")
			r := got[0]
			require.NoError(t, events.ValidateJSON(r.Value), "envelope matches the schema")
			e := r.Envelope
			require.Equal(t, tc.want, e.Type)
			require.Equal(t, s.entityID, e.Entity.ID.String())
			require.Equal(t, s.traceID, e.TraceID)
			require.NotNil(t, e.ActorUserID)
			require.Equal(t, own.ID, *e.ActorUserID)
			require.Equal(t, s.reqID, r.Header(broker.HeaderRequestID))
			require.Contains(t, r.Header(broker.HeaderTraceparent), s.traceID)
			require.Equal(t, e.Key(), r.Key)
			require.NotContains(t, string(r.Value), "password")
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

func TestEvents_FailedWriteRecordsNoEvent(t *testing.T) {
	t.Parallel()
	env, reader := eventsEnv(t)
	own := env.NewUser(t)
	c := env.NewCollection(t, own)
	// Demoting the last owner fails inside the transaction: nothing may leak.
	resp, failedID, _ := traced(t, env, http.MethodPatch, "/api/v1/collections/"+c.ID.String()+"/members/"+own.ID.String(), own.Token, map[string]any{"role": "viewer"})
	require.Equal(t, http.StatusConflict, resp.Status)
	// So does a write the database rejects after the event was built.
	_, err := env.Pool.Exec(context.Background(), `ALTER TABLE items ADD CONSTRAINT no_forbidden CHECK (title <> 'forbidden')`)
	require.NoError(t, err)
	resp, rejectedID, _ := traced(t, env, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/items", own.Token, map[string]any{"title": "forbidden"})
	require.Equal(t, http.StatusInternalServerError, resp.Status)

	resp, okID, _ := traced(t, env, http.MethodPatch, "/api/v1/collections/"+c.ID.String(), own.Token, map[string]any{"name": "marker"})
	require.Equal(t, http.StatusOK, resp.Status)
	reader.WaitFor(t, eventWait, brokertest.RequestID(okID))
	reader.CatchUp(t, eventWait)
	require.Empty(t, reader.All(brokertest.RequestID(failedID)))
	require.Empty(t, reader.All(brokertest.RequestID(rejectedID)))
	var left int
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM atlas_outbox WHERE envelope->>'request_id' IN ($1, $2)`, failedID, rejectedID).Scan(&left))
	require.Zero(t, left, "rolled-back writes left outbox events")
}

func TestEvents_UpdatesOfOneItemArriveInCommitOrder(t *testing.T) {
	t.Parallel()
	env, reader := eventsEnv(t)
	own := env.NewUser(t)
	c := env.NewCollection(t, own)
	it := env.NewItem(t, own, c.ID, item.CreateParams{Title: "v1"})
	const updates = 40
	for i := 2; i <= updates+1; i++ {
		resp := env.Do(t, http.MethodPatch, "/api/v1/items/"+it.ID.String(), own.Token, map[string]any{"title": "v" + strconv.Itoa(i)})
		require.Equal(t, http.StatusOK, resp.Status)
	}
	got := reader.WaitForN(t, eventWait, updates, brokertest.And(brokertest.EntityID(it.ID), brokertest.OfType(events.ItemUpdated)))
	require.Len(t, got, updates)
	for i, r := range got {
		require.Contains(t, string(r.Envelope.Data), fmt.Sprintf(`"after":"v%d"`, i+2), "event %d out of order", i)
	}
}

// repoRoot finds the repository root from this file's location.
func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Dir(filepath.Dir(file))
}

// kafkaScript runs scripts/kafka against the test's private broker.
func kafkaScript(t *testing.T, port int, action string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot(t), "scripts", "kafka"), action)
	cmd.Env = append(os.Environ(), "ATLAS_KAFKA_PORT="+strconv.Itoa(port))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "scripts/kafka %s: %s", action, out)
}

func TestEvents_KafkaOutageLosesNothing(t *testing.T) {
	t.Parallel()
	// A private broker this test may stop without disturbing other tests.
	const port = 19092
	kafkaScript(t, port, "start")
	t.Cleanup(func() { kafkaScript(t, port, "stop") })
	brokers := fmt.Sprintf("127.0.0.1:%d", port)
	require.NoError(t, broker.EnsureTopics(context.Background(), brokers, broker.Security{}, broker.TopicSpec{Name: "outage.events", Partitions: 3}))

	env := apitest.New(t)
	brokertest.StartDrainer(t, env.Pool, brokers, "outage.events")
	own := env.NewUser(t)
	c := env.NewCollection(t, own)

	kafkaScript(t, port, "stop")
	var ids []uuid.UUID
	for i := range 10 {
		resp := env.Do(t, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/items", own.Token, map[string]any{"title": fmt.Sprint("during outage ", i)})
		require.Equal(t, http.StatusCreated, resp.Status, "writes succeed while Kafka is down: %s", resp.Body)
		ids = append(ids, uuid.MustParse(resp.Map(t)["id"].(string)))
	}
	// The drainer keeps failing meanwhile: every event stays in the outbox.
	var waiting int
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM atlas_outbox`).Scan(&waiting))
	require.GreaterOrEqual(t, waiting, len(ids), "events left the outbox while Kafka was down")

	kafkaScript(t, port, "start")
	reader := brokertest.NewReaderFromStart(t, brokers, "outage.events")
	for _, id := range ids {
		reader.WaitFor(t, 3*time.Minute, brokertest.And(brokertest.EntityID(id), brokertest.OfType(events.ItemCreated)))
	}
	reader.CatchUp(t, eventWait)
	for _, id := range ids {
		require.Len(t, reader.All(brokertest.And(brokertest.EntityID(id), brokertest.OfType(events.ItemCreated))), 1, "item %s", id)
	}
}
