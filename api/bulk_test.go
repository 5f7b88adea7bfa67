package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

func TestBulk_OverTheLimitIs422AndChangesNothing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	it := env.NewItem(t, owner, c.ID, item.CreateParams{Title: "Keep", Tags: []string{"a"}})
	ids := []uuid.UUID{it.ID}
	for len(ids) <= item.MaxBulkItems {
		ids = append(ids, uuid.New())
	}
	for path, body := range map[string]map[string]any{
		"/api/v1/items/bulk/tags":   {"item_ids": ids, "add": []string{"b"}},
		"/api/v1/items/bulk/move":   {"item_ids": ids, "collection_id": c.ID},
		"/api/v1/items/bulk/copy":   {"item_ids": ids, "collection_id": c.ID},
		"/api/v1/items/bulk/delete": {"item_ids": ids},
	} {
		resp := env.Do(t, http.MethodPost, path, owner.Token, body)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", path, resp.Body)
		assert.Contains(t, string(resp.Body), "1000", "%s says the limit", path)
	}
	got, err := env.App.Items.Get(context.Background(), owner.ID, it.ID)
	require.NoError(t, err)
	assert.Equal(t, it.Version, got.Version, "nothing changed")
	assert.Equal(t, 1, len(walk(t, env, owner.Token, "/api/v1/collections/"+c.ID.String()+"/items")), "no copy made")
}

func TestBulk_AnItemThatIsGoneOrNotYoursStopsTheRequest(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner, viewer := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.AddMember(t, owner, c.ID, viewer, collection.RoleViewer)
	mine := env.NewCollection(t, viewer)
	a := env.NewItem(t, owner, c.ID, item.CreateParams{Title: "A"})
	b := env.NewItem(t, viewer, mine.ID, item.CreateParams{Title: "B"})

	// The viewer owns b but may only read a: 403 naming a, b untouched.
	resp := env.Do(t, http.MethodPost, "/api/v1/items/bulk/delete", viewer.Token, map[string]any{"item_ids": []uuid.UUID{b.ID, a.ID}})
	require.Equal(t, http.StatusForbidden, resp.Status, resp.Body)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(resp.Body), a.ID.String())
	_, err := env.App.Items.Get(context.Background(), viewer.ID, b.ID)
	require.NoError(t, err, "b was not deleted")

	// An item that no longer exists: 404 naming it.
	gone := uuid.New()
	resp = env.Do(t, http.MethodPost, "/api/v1/items/bulk/tags", viewer.Token, map[string]any{"item_ids": []uuid.UUID{b.ID, gone}, "add": []string{"x"}})
	require.Equal(t, http.StatusNotFound, resp.Status, resp.Body)
	assert.Contains(t, string(resp.Body), gone.String())
	got, err := env.App.Items.Get(context.Background(), viewer.ID, b.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Tags, "b was not tagged")

	// Bad bodies.
	for _, body := range []map[string]any{
		{"item_ids": []uuid.UUID{}, "add": []string{"x"}},
		{"item_ids": []uuid.UUID{b.ID}},
		{"item_ids": []string{"not-a-uuid"}, "add": []string{"x"}},
	} {
		resp := env.Do(t, http.MethodPost, "/api/v1/items/bulk/tags", viewer.Token, body)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%v: %s", body, resp.Body)
	}
}

func TestBulk_DeleteAndUndo(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	a := env.NewItem(t, owner, c.ID, item.CreateParams{Title: "A", Tags: []string{"keep"}})
	b := env.NewItem(t, owner, c.ID, item.CreateParams{Title: "B"})

	resp := env.Do(t, http.MethodPost, "/api/v1/items/bulk/delete", owner.Token, map[string]any{"item_ids": []uuid.UUID{a.ID, b.ID}})
	require.Equal(t, http.StatusOK, resp.Status, resp.Body)
	var del struct {
		ItemIDs   []uuid.UUID `json:"item_ids"`
		UndoToken uuid.UUID   `json:"undo_token"`
		UndoUntil string      `json:"undo_until"`
	}
	resp.JSON(t, &del)
	assert.Equal(t, []uuid.UUID{a.ID, b.ID}, del.ItemIDs)
	assert.NotEmpty(t, del.UndoUntil)
	assert.Empty(t, walk(t, env, owner.Token, "/api/v1/collections/"+c.ID.String()+"/items"))

	resp = env.Do(t, http.MethodPost, "/api/v1/items/bulk/restore", owner.Token, map[string]any{"undo_token": del.UndoToken})
	require.Equal(t, http.StatusOK, resp.Status, resp.Body)
	items := walk(t, env, owner.Token, "/api/v1/collections/"+c.ID.String()+"/items")
	require.Len(t, items, 2)
	resp = env.Do(t, http.MethodGet, "/api/v1/items/"+a.ID.String(), owner.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	assert.Contains(t, string(resp.Body), `"keep"`)
	resp = env.Do(t, http.MethodPost, "/api/v1/items/bulk/restore", owner.Token, map[string]any{"undo_token": del.UndoToken})
	assert.Equal(t, http.StatusNotFound, resp.Status, "used once")
}
