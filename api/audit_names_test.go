package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAudit_NamesPeopleAndThings checks that the trail reads by name: the
// actor's display name, the collection's name, and for an item that is
// gone, the last title its history gave it.
func TestAudit_NamesPeopleAndThings(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	ctx := context.Background()
	_, err := f.env.Pool.Exec(ctx, `UPDATE users SET display_name = 'Olivia Owner' WHERE id = $1`, f.owner.ID)
	require.NoError(t, err)
	_, err = f.env.Pool.Exec(ctx, `UPDATE collections SET name = 'Reading list' WHERE id = $1`, f.shared)
	require.NoError(t, err)

	got := walk(t, f.env, f.viewer.Token, auditPath("collection_id", f.shared.String()))
	require.Len(t, got, len(f.sharedEvents))
	for _, e := range got {
		entity := e["entity"].(map[string]any)
		assert.Equal(t, "Reading list", entity["collection_name"])
		switch entity["type"] {
		case "item": // item A never existed in the items table: gone, named from its events
			assert.Equal(t, "A", entity["name"])
			assert.Equal(t, true, entity["gone"])
		case "collection":
			assert.Equal(t, "Reading list", entity["name"], "a collection that exists is called by its current name")
			assert.Equal(t, false, entity["gone"])
		}
		if e["actor_user_id"] == f.owner.ID.String() {
			assert.Equal(t, "Olivia Owner", e["actor_name"])
		} else {
			assert.Equal(t, "Test User", e["actor_name"])
		}
	}

	// A membership event names the member; an item whose events never
	// carried a title has no name, but is still known to be gone.
	mine := walk(t, f.env, f.owner.Token, auditPath("collection_id", f.private.String()))
	for _, e := range mine {
		entity := e["entity"].(map[string]any)
		switch entity["type"] {
		case "membership":
			assert.Equal(t, "Test User", entity["name"])
		case "item":
			assert.Equal(t, "", entity["name"])
			assert.Equal(t, true, entity["gone"])
		}
	}
}

func TestAudit_FiltersByType(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	got := walk(t, f.env, f.owner.Token, auditPath("type", "ItemDeleted"))
	require.Len(t, got, 1)
	assert.Equal(t, f.itemAEvents[0].EventID.String(), got[0]["event_id"])
	resp := f.env.Do(t, http.MethodGet, auditPath("type", "ItemExploded"), f.owner.Token, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, string(resp.Body))
}
