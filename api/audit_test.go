package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/events"
)

// auditFixture is two collections with recorded events:
//
//	shared:  owner and viewer are members; item A's history (5 events by
//	         owner and viewer) and the collection's creation;
//	private: only owner; item B (3 events); outsider was added, then
//	         removed (2 membership events about outsider).
type auditFixture struct {
	env                       *apitest.Env
	owner, viewer, outsider   apitest.User
	shared, private           uuid.UUID
	itemA, itemB              uuid.UUID
	base                      time.Time
	sharedEvents, itemAEvents []events.Envelope // newest first
	aboutOutsider             []events.Envelope // newest first
	all                       []events.Envelope
}

func newAuditFixture(t *testing.T) auditFixture {
	t.Helper()
	env := apitest.New(t)
	f := auditFixture{env: env, owner: env.NewUser(t), viewer: env.NewUser(t), outsider: env.NewUser(t),
		itemA: uuid.New(), itemB: uuid.New(), base: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.shared = env.NewCollection(t, f.owner).ID
	f.private = env.NewCollection(t, f.owner).ID
	env.AddMember(t, f.owner, f.shared, f.viewer, collection.RoleViewer)

	minute := 0
	record := func(typ events.Type, actor apitest.User, entity events.Entity, data map[string]any) events.Envelope {
		minute++
		at := f.base.Add(time.Duration(minute) * time.Minute)
		env, err := events.New(typ, &actor.ID, entity, data, events.Meta{
			TraceID: events.NewTraceID(), RequestID: "req-" + uuid.NewString()[:8], NowFunc: func() time.Time { return at },
		})
		require.NoError(t, err)
		f.all = append([]events.Envelope{env}, f.all...)
		return env
	}
	collEntity := func(c uuid.UUID) events.Entity {
		return events.Entity{Type: events.EntityCollection, ID: c, CollectionID: c}
	}
	itemEntity := func(id, c uuid.UUID) events.Entity {
		return events.Entity{Type: events.EntityItem, ID: id, CollectionID: c}
	}
	f.sharedEvents = append(f.sharedEvents, record(events.CollectionCreated, f.owner, collEntity(f.shared), map[string]any{"name": "Shared"}))
	record(events.CollectionCreated, f.owner, collEntity(f.private), map[string]any{"name": "Private"})
	for i, typ := range []events.Type{events.ItemCreated, events.ItemUpdated, events.ItemUpdated, events.ItemUpdated, events.ItemDeleted} {
		actor := f.owner
		if i%2 == 1 {
			actor = f.viewer
		}
		env := record(typ, actor, itemEntity(f.itemA, f.shared), map[string]any{"title": "A", "seq": i})
		f.itemAEvents = append(f.itemAEvents, env)
		f.sharedEvents = append(f.sharedEvents, env)
		if i < 3 {
			record(events.ItemUpdated, f.owner, itemEntity(f.itemB, f.private), map[string]any{"seq": i})
		}
	}
	membership := events.Entity{Type: events.EntityMembership, ID: f.outsider.ID, CollectionID: f.private}
	f.aboutOutsider = append(f.aboutOutsider,
		record(events.MembershipAdded, f.owner, membership, map[string]any{"user_id": f.outsider.ID, "role": "viewer"}),
		record(events.MembershipRemoved, f.owner, membership, map[string]any{"user_id": f.outsider.ID, "role": "viewer"}))
	reverse(f.sharedEvents)
	reverse(f.itemAEvents)
	reverse(f.aboutOutsider)

	// Record them in a shuffled order: listings sort by occurred_at, not by
	// arrival.
	rows := make([]audit.Event, 0, len(f.all))
	for i := range f.all {
		e := f.all[(i*7)%len(f.all)]
		rows = append(rows, audit.Event{EventID: e.EventID, Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt,
			RecordedAt: time.Now().UTC(), ActorUserID: e.ActorUserID, Entity: e.Entity, Data: e.Data,
			TraceID: e.TraceID, RequestID: e.RequestID})
	}
	res, err := audit.Store{}.Append(context.Background(), env.Pool, rows)
	require.NoError(t, err)
	require.Equal(t, len(f.all), res.Inserted, "fixture events are distinct (7 must be coprime with %d)", len(f.all))
	return f
}

func reverse(envs []events.Envelope) {
	for i, j := 0, len(envs)-1; i < j; i, j = i+1, j-1 {
		envs[i], envs[j] = envs[j], envs[i]
	}
}

// auditPath builds /api/v1/audit with the given query parameters.
func auditPath(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	if len(q) == 0 {
		return "/api/v1/audit"
	}
	return "/api/v1/audit?" + q.Encode()
}

// eventIDs lists the event ids of a page's entries, in order.
func eventIDs(entries []map[string]any) []string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i], _ = e["event_id"].(string)
	}
	return ids
}

func envIDs(envs []events.Envelope) []string {
	ids := make([]string, len(envs))
	for i, e := range envs {
		ids[i] = e.EventID.String()
	}
	return ids
}

func without(envs []events.Envelope, drop func(events.Envelope) bool) []events.Envelope {
	var out []events.Envelope
	for _, e := range envs {
		if !drop(e) {
			out = append(out, e)
		}
	}
	return out
}

func TestAudit_CallersSeeTheirCollectionsAndEventsAboutThemselves(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)

	got := walk(t, f.env, f.viewer.Token, auditPath("limit", "3"))
	assert.Equal(t, envIDs(f.sharedEvents), eventIDs(got), "a member sees their collection's events, newest first")

	got = walk(t, f.env, f.outsider.Token, auditPath())
	assert.Equal(t, envIDs(f.aboutOutsider), eventIDs(got), "a non-member sees only the events about themselves")

	got = walk(t, f.env, f.owner.Token, auditPath("limit", "4"))
	assert.Equal(t, envIDs(f.all), eventIDs(got), "the owner of both collections sees everything")

	stranger := f.env.NewUser(t)
	got = walk(t, f.env, stranger.Token, auditPath())
	assert.Empty(t, got)

	resp := f.env.Do(t, http.MethodGet, auditPath(), "", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.Status)
}

func TestAudit_FiltersNeverWidenVisibility(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	tests := map[string]struct {
		who    apitest.User
		params []string
		want   []events.Envelope
	}{
		"non-member filtering a collection": {
			f.viewer, []string{"collection_id", f.private.String()}, nil,
		},
		"non-member filtering an entity": {
			f.viewer, []string{"entity_type", "item", "entity_id", f.itemB.String()}, nil,
		},
		"actor filter keeps to visible collections": {
			f.viewer, []string{"actor_user_id", f.owner.ID.String()},
			without(f.sharedEvents, func(e events.Envelope) bool { return *e.ActorUserID != f.owner.ID }),
		},
		"former member filtering the collection sees events about themselves": {
			f.outsider, []string{"collection_id", f.private.String()}, f.aboutOutsider,
		},
		"former member filtering by actor": {
			f.outsider, []string{"actor_user_id", f.owner.ID.String()}, f.aboutOutsider,
		},
		"membership entity about oneself": {
			f.outsider, []string{"entity_type", "membership", "entity_id", f.outsider.ID.String()}, f.aboutOutsider,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := walk(t, f.env, tc.who.Token, auditPath(tc.params...))
			assert.Equal(t, envIDs(tc.want), eventIDs(got))
		})
	}
}

func TestAudit_FiltersAndTimeRanges(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	at := func(minute int) string { return f.base.Add(time.Duration(minute) * time.Minute).Format(time.RFC3339) }
	itemAEvents := f.itemAEvents

	got := walk(t, f.env, f.viewer.Token, auditPath("entity_type", "item", "entity_id", f.itemA.String(), "limit", "2"))
	assert.Equal(t, envIDs(itemAEvents), eventIDs(got), "one entity's history, newest first")

	got = walk(t, f.env, f.owner.Token, auditPath("actor_user_id", f.viewer.ID.String()))
	assert.Equal(t, envIDs(without(f.all, func(e events.Envelope) bool { return *e.ActorUserID != f.viewer.ID })), eventIDs(got))
	require.Len(t, got, 2)

	// The fixture's events occurred at minutes 1..12; "from" is inclusive,
	// "to" exclusive.
	inRange := func(from, to int) []events.Envelope {
		return without(f.sharedEvents, func(e events.Envelope) bool {
			m := int(e.OccurredAt.Sub(f.base) / time.Minute)
			return m < from || m >= to
		})
	}
	got = walk(t, f.env, f.owner.Token, auditPath("collection_id", f.shared.String(), "from", at(3), "to", at(8)))
	assert.Equal(t, envIDs(inRange(3, 8)), eventIDs(got))
	require.NotEmpty(t, got)
	got = walk(t, f.env, f.owner.Token, auditPath("collection_id", f.shared.String(), "from", at(5)))
	assert.Equal(t, envIDs(inRange(5, 100)), eventIDs(got))
	got = walk(t, f.env, f.owner.Token, auditPath("collection_id", f.shared.String(), "to", at(3)))
	assert.Equal(t, envIDs(inRange(0, 3)), eventIDs(got))
	got = walk(t, f.env, f.viewer.Token, auditPath("entity_type", "item", "entity_id", f.itemA.String(),
		"actor_user_id", f.viewer.ID.String(), "from", at(1), "to", at(100)))
	assert.Equal(t, envIDs(without(itemAEvents, func(e events.Envelope) bool { return *e.ActorUserID != f.viewer.ID })), eventIDs(got))

	// Fields of one entry.
	resp := f.env.Do(t, http.MethodGet, auditPath("entity_type", "item", "entity_id", f.itemA.String(), "limit", "1"), f.viewer.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	resp.JSON(t, &page)
	require.Len(t, page.Items, 1)
	want := itemAEvents[0]
	entry := page.Items[0]
	assert.Equal(t, want.EventID.String(), entry["event_id"])
	assert.Equal(t, string(want.Type), entry["type"])
	assert.Equal(t, want.OccurredAt.Format(time.RFC3339Nano), entry["occurred_at"])
	assert.Equal(t, want.ActorUserID.String(), entry["actor_user_id"])
	entity := entry["entity"].(map[string]any)
	assert.Equal(t, "item", entity["type"])
	assert.Equal(t, f.itemA.String(), entity["id"])
	assert.Equal(t, f.shared.String(), entity["collection_id"])
	data, err := json.Marshal(entry["data"])
	require.NoError(t, err)
	assert.JSONEq(t, string(want.Data), string(data))
	assert.Equal(t, want.TraceID, entry["trace_id"])
	assert.Equal(t, want.RequestID, entry["request_id"])
	assert.EqualValues(t, 1, entry["version"])
	assert.NotEmpty(t, entry["recorded_at"])
}

func TestAudit_CursorIsBoundToCallerAndFilter(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	path := auditPath("collection_id", f.shared.String(), "limit", "2")
	resp := f.env.Do(t, http.MethodGet, path, f.owner.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	resp.JSON(t, &page)
	require.NotNil(t, page.NextCursor)
	cur := *page.NextCursor

	for name, tc := range map[string]struct {
		token, path string
	}{
		"other filter": {f.owner.Token, auditPath("collection_id", f.private.String(), "limit", "2", "cursor", cur)},
		"other caller": {f.viewer.Token, auditPath("collection_id", f.shared.String(), "limit", "2", "cursor", cur)},
		"tampered":     {f.owner.Token, auditPath("collection_id", f.shared.String(), "limit", "2", "cursor", "x"+cur[1:])},
	} {
		resp := f.env.Do(t, http.MethodGet, tc.path, tc.token, nil)
		assert.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", name, resp.Body)
	}
	resp = f.env.Do(t, http.MethodGet, auditPath("collection_id", f.shared.String(), "limit", "2", "cursor", cur), f.owner.Token, nil)
	assert.Equal(t, http.StatusOK, resp.Status)
}

func TestAudit_RejectsMalformedFilters(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	id := uuid.NewString()
	for name, params := range map[string][]string{
		"entity_type without id": {"entity_type", "item"},
		"entity_id without type": {"entity_id", id},
		"unknown entity type":    {"entity_type", "account", "entity_id", id},
		"entity_id not a uuid":   {"entity_type", "item", "entity_id", "42"},
		"actor not a uuid":       {"actor_user_id", "bob"},
		"collection not a uuid":  {"collection_id", "x"},
		"from not a time":        {"from", "yesterday"},
		"empty range":            {"from", "2026-01-02T00:00:00Z", "to", "2026-01-02T00:00:00Z"},
		"reversed range":         {"from", "2026-01-03T00:00:00Z", "to", "2026-01-02T00:00:00Z"},
		"limit too big":          {"limit", "101"},
	} {
		resp := env.Do(t, http.MethodGet, auditPath(params...), u.Token, nil)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, resp.Status, "%s: %s", name, resp.Body)
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), name)
	}
}

// TestOpenAPI_AuditEnumsAreTheEventsPackagesLists: the OpenAPI document (and
// the dashboard's generated types) name exactly the event and entity types
// of package events, the one list of them.
func TestOpenAPI_AuditEnumsAreTheEventsPackagesLists(t *testing.T) {
	t.Parallel()
	oapi := api.NewServer(api.Params{}).API().OpenAPI()
	schemas := oapi.Components.Schemas.Map()
	strs := func(vals []any) []string {
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v.(string)
		}
		return out
	}
	var types []string
	for _, t := range events.Types() {
		types = append(types, string(t))
	}
	require.Contains(t, schemas, "AuditEvent")
	assert.Equal(t, types, strs(schemas["AuditEvent"].Properties["type"].Enum))
	require.Contains(t, schemas, "AuditEntity")
	assert.Equal(t, events.EntityTypes(), strs(schemas["AuditEntity"].Properties["type"].Enum))
	var param []string
	for _, p := range oapi.Paths["/api/v1/audit"].Get.Parameters {
		if p.Name == "entity_type" {
			param = strs(p.Schema.Enum)
		}
	}
	assert.Equal(t, events.EntityTypes(), param, "the entity_type filter")
}
