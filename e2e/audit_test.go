package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/testfactory"
)

// write is one write request of the core API and the audit row it must
// produce.
type write struct {
	method, path string
	body         any
	as           apitest.User
	status       int
	// What the recorded event must say.
	typ                  events.Type
	entityType           string
	entityID, collection func() uuid.UUID
}

// TestAudit_EveryWriteOfTheCoreAPIBecomesExactlyOneRow drives every write
// endpoint over HTTP, lets the outbox drainer publish what the outbox
// stored to a real Kafka topic, runs the audit consumer, and checks each write left exactly one
// audit row with the right actor, entity and (redacted) data, and that no
// secret or email reached an event or a row.
func TestAudit_EveryWriteOfTheCoreAPIBecomesExactlyOneRow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, editor, guest := env.NewUser(t), env.NewUser(t), env.NewUser(t)

	var collectionID, itemID uuid.UUID
	coll := func() uuid.UUID { return collectionID }
	item := func() uuid.UUID { return itemID }
	user := func(u apitest.User) func() uuid.UUID { return func() uuid.UUID { return u.ID } }
	members := func(u apitest.User) string { return "/api/v1/collections/{c}/members/" + u.ID.String() }
	writes := []write{
		{http.MethodPost, "/api/v1/collections", map[string]any{"name": "Reading", "description": "papers"}, owner, 201,
			events.CollectionCreated, events.EntityCollection, coll, coll},
		{http.MethodPatch, "/api/v1/collections/{c}", map[string]any{"name": "Reading list"}, owner, 200,
			events.CollectionUpdated, events.EntityCollection, coll, coll},
		{http.MethodPost, "/api/v1/collections/{c}/members", map[string]any{"email": editor.Email, "role": "editor"}, owner, 201,
			events.MembershipAdded, events.EntityMembership, user(editor), coll},
		{http.MethodPost, "/api/v1/collections/{c}/items", map[string]any{"title": "Memory model", "source_url": "https://go.dev/ref/mem",
			"notes": "private note", "tags": []string{"go"}}, editor, 201,
			events.ItemCreated, events.EntityItem, item, coll},
		{http.MethodPatch, "/api/v1/items/{i}", map[string]any{"title": "The Go memory model", "notes": "changed note"}, owner, 200,
			events.ItemUpdated, events.EntityItem, item, coll},
		{http.MethodDelete, "/api/v1/items/{i}", nil, editor, 204,
			events.ItemDeleted, events.EntityItem, item, coll},
		{http.MethodPatch, members(editor), map[string]any{"role": "viewer"}, owner, 200,
			events.MembershipRoleChanged, events.EntityMembership, user(editor), coll},
		{http.MethodDelete, members(editor), nil, owner, 204,
			events.MembershipRemoved, events.EntityMembership, user(editor), coll},
		{http.MethodPost, "/api/v1/collections/{c}/members", map[string]any{"user_id": guest.ID, "role": "viewer"}, owner, 201,
			events.MembershipAdded, events.EntityMembership, user(guest), coll},
		{http.MethodDelete, members(guest), nil, guest, 204, // guest leaves
			events.MembershipRemoved, events.EntityMembership, user(guest), coll},
		{http.MethodDelete, "/api/v1/collections/{c}", nil, owner, 204,
			events.CollectionDeleted, events.EntityCollection, coll, coll},
	}
	requestIDs := make([]string, len(writes))
	for i, w := range writes {
		path := strings.NewReplacer("{c}", collectionID.String(), "{i}", itemID.String()).Replace(w.path)
		requestIDs[i] = fmt.Sprintf("e2e-%d-%s", i, uuid.NewString()[:8])
		resp := env.Do(t, w.method, path, w.as.Token, w.body, "X-Request-ID", requestIDs[i])
		require.Equal(t, w.status, resp.Status, "%s %s: %s", w.method, path, resp.Body)
		switch {
		case i == 0:
			collectionID = uuid.MustParse(resp.Map(t)["id"].(string))
		case w.typ == events.ItemCreated:
			itemID = uuid.MustParse(resp.Map(t)["id"].(string))
		}
	}

	stored := env.Outbox(t, testfactory.OutboxFilter{})
	envs := testfactory.Envelopes(stored)
	require.Len(t, envs, len(writes), "one outbox event per write")

	// Secrets and emails never reach an event.
	ctx := context.Background()
	var hashes []string
	rows, err := env.Pool.Query(ctx, `SELECT password_hash FROM users`)
	require.NoError(t, err)
	for rows.Next() {
		var h string
		require.NoError(t, rows.Scan(&h))
		hashes = append(hashes, h)
	}
	require.NoError(t, rows.Err())
	require.Len(t, hashes, 3)
	forbidden := append(hashes, "correct horse battery", owner.Token, editor.Token, guest.Token,
		owner.Email, editor.Email, guest.Email)
	for _, e := range stored {
		raw := e.Raw
		for _, f := range forbidden {
			assert.NotContains(t, raw, f, "an outbox event carries a secret or an email")
		}
		for _, key := range []string{`"password`, `"token`, `"email"`} {
			assert.NotContains(t, strings.ToLower(raw), key)
		}
	}

	// The worker publishes what the outbox stored; the audit consumer records it.
	p := newPipeline(t, env, false)
	recorder := audit.NewRecorder(audit.RecorderParams{DB: env.Pool, Logger: slog.New(slog.DiscardHandler)})
	consumer, err := broker.NewEventsConsumer(p.consumerConfig(t, "atlas-audit-test"), audit.GroupID, recorder.Handle, nil)
	require.NoError(t, err)
	run(t, consumer)
	brokertest.StartDrainer(t, p.Pool, p.brokers, p.topic)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		n, err := audit.Store{}.Count(ctx, env.Pool)
		require.NoError(collect, err)
		assert.EqualValues(collect, len(envs), n)
	}, eventWait, 20*time.Millisecond, "one audit row per event")

	for i, w := range writes {
		var ids []uuid.UUID
		rows, err := env.Pool.Query(ctx, `SELECT event_id FROM audit_events WHERE request_id = $1`, requestIDs[i])
		require.NoError(t, err)
		for rows.Next() {
			var id uuid.UUID
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Err())
		require.Len(t, ids, 1, "write %d (%s %s) has exactly one audit row", i, w.method, w.path)

		got, err := audit.Store{}.ByEventID(ctx, env.Pool, ids[0])
		require.NoError(t, err)
		assert.Equal(t, w.typ, got.Type, "write %d", i)
		require.NotNil(t, got.ActorUserID)
		assert.Equal(t, w.as.ID, *got.ActorUserID, "write %d actor", i)
		assert.Equal(t, events.Entity{Type: w.entityType, ID: w.entityID(), CollectionID: w.collection()}, got.Entity, "write %d entity", i)

		var sent events.Envelope
		for _, e := range envs {
			if e.RequestID == requestIDs[i] {
				sent = e
			}
		}
		assert.Equal(t, sent.EventID, got.EventID)
		assert.True(t, sent.OccurredAt.Equal(got.OccurredAt))
		assert.Equal(t, sent.TraceID, got.TraceID)
		red, err := audit.Redact(sent.Data)
		require.NoError(t, err)
		assert.JSONEq(t, string(red.Data), string(got.Data), "write %d data is the event's, redacted", i)
		for _, f := range forbidden {
			assert.NotContains(t, string(got.Data), f)
		}
	}

	// Spot-check the data of a few events.
	byType := func(typ events.Type) map[string]any {
		var rowData string
		require.NoError(t, env.Pool.QueryRow(ctx, `SELECT data::text FROM audit_events WHERE type = $1 ORDER BY seq LIMIT 1`, typ).Scan(&rowData))
		m := map[string]any{}
		require.NoError(t, json.Unmarshal([]byte(rowData), &m))
		return m
	}
	created := byType(events.ItemCreated)
	assert.Equal(t, "Memory model", created["title"])
	assert.Equal(t, audit.Masked, created["notes"], "personal free text is masked")
	updated := byType(events.ItemUpdated)["changes"].(map[string]any)
	assert.Equal(t, map[string]any{"before": "Memory model", "after": "The Go memory model"}, updated["title"])
	assert.Equal(t, map[string]any{"before": audit.Masked, "after": audit.Masked}, updated["notes"])
	added := byType(events.MembershipAdded)
	assert.Equal(t, editor.ID.String(), added["user_id"], "membership events carry user ids, not emails")

	rep, err := audit.Verify(ctx, env.Pool)
	require.NoError(t, err)
	require.True(t, rep.OK(), rep.String())
	assert.EqualValues(t, len(writes), rep.Rows)

	// The trail is readable over the API: the guest, no longer a member,
	// sees only the events about themselves.
	resp := env.Do(t, http.MethodGet, "/api/v1/audit", guest.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var page struct {
		Items []struct {
			Type   string `json:"type"`
			Entity struct {
				ID string `json:"id"`
			} `json:"entity"`
		} `json:"items"`
	}
	resp.JSON(t, &page)
	require.Len(t, page.Items, 2)
	assert.Equal(t, string(events.MembershipRemoved), page.Items[0].Type)
	assert.Equal(t, string(events.MembershipAdded), page.Items[1].Type)
	for _, it := range page.Items {
		assert.Equal(t, guest.ID.String(), it.Entity.ID)
	}
}
