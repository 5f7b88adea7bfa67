package api_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
)

func TestCollection_CreatorIsOwnerAndListsIt(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := env.Do(t, http.MethodPost, "/api/v1/collections", u.Token, map[string]any{"name": "  Reading list  ", "description": "Books"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	c := resp.Map(t)
	require.Equal(t, "Reading list", c["name"], "name is trimmed")
	require.Equal(t, "owner", c["role"])
	require.Equal(t, "/api/v1/collections/"+c["id"].(string), resp.Header.Get("Location"))

	var list struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	env.Do(t, http.MethodGet, "/api/v1/collections", u.Token, nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Nil(t, list.NextCursor)
	require.Equal(t, c["id"], list.Items[0]["id"])

	other := env.NewUser(t)
	env.Do(t, http.MethodGet, "/api/v1/collections", other.Token, nil).JSON(t, &list)
	require.Empty(t, list.Items, "another user sees none of it")
}

// TestCollection_PermissionsFollowTheCallersRole: a collection, read alone
// or in the list, tells each caller what their role allows.
func TestCollection_PermissionsFollowTheCallersRole(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	own := env.NewUser(t)
	c := env.NewCollection(t, own)
	users := map[collection.Role]apitest.User{collection.RoleOwner: own}
	for _, r := range []collection.Role{collection.RoleEditor, collection.RoleViewer} {
		users[r] = env.NewUser(t)
		env.AddMember(t, own, c.ID, users[r], r)
	}
	want := map[collection.Role]map[string]any{
		collection.RoleOwner:  {"read": true, "write_items": true, "manage": true},
		collection.RoleEditor: {"read": true, "write_items": true, "manage": false},
		collection.RoleViewer: {"read": true, "write_items": false, "manage": false},
	}
	for role, u := range users {
		one := env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String(), u.Token, nil)
		require.Equal(t, http.StatusOK, one.Status, "%s", one.Body)
		require.Equal(t, want[role], one.Map(t)["permissions"], "%s reading the collection", role)
		var list struct {
			Items []map[string]any `json:"items"`
		}
		env.Do(t, http.MethodGet, "/api/v1/collections", u.Token, nil).JSON(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, want[role], list.Items[0]["permissions"], "%s listing collections", role)
	}
}

func TestMembers_LastOwnerIsKept(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	own, ed := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, own)
	env.AddMember(t, own, c.ID, ed, collection.RoleEditor)
	base := "/api/v1/collections/" + c.ID.String() + "/members/"

	resp := env.Do(t, http.MethodPatch, base+own.ID.String(), own.Token, map[string]any{"role": "editor"})
	require.Equal(t, http.StatusConflict, resp.Status, "demoting the last owner: %s", resp.Body)
	resp = env.Do(t, http.MethodDelete, base+own.ID.String(), own.Token, nil)
	require.Equal(t, http.StatusConflict, resp.Status, "last owner leaving: %s", resp.Body)

	// With a second owner, the first may leave.
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodPatch, base+ed.ID.String(), own.Token, map[string]any{"role": "owner"}).Status)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, base+own.ID.String(), own.Token, nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String(), own.Token, nil).Status,
		"a former member no longer sees the collection")
}

func TestMembers_ConcurrentDemotionsKeepAnOwner(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, a)
	env.AddMember(t, a, c.ID, b, collection.RoleOwner)
	base := "/api/v1/collections/" + c.ID.String() + "/members/"
	var wg sync.WaitGroup
	codes := make([]int, 2)
	errs := make([]error, 2)
	for i, pair := range [][2]apitest.User{{a, b}, {b, a}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp apitest.Response
			resp, errs[i] = env.Send(http.MethodPatch, base+pair[1].ID.String(), pair[0].Token, map[string]any{"role": "viewer"})
			codes[i] = resp.Status
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	// One demotion wins. The other finds either that it would remove the last
	// owner (409) or that its caller is no longer an owner (403).
	require.Contains(t, codes, http.StatusOK)
	loser := codes[0] + codes[1] - http.StatusOK
	require.Contains(t, []int{http.StatusConflict, http.StatusForbidden}, loser)
	var owners int
	require.NoError(t, env.Pool.QueryRow(t.Context(), `SELECT count(*) FROM memberships WHERE collection_id = $1 AND role = 'owner'`, c.ID).Scan(&owners))
	require.Equal(t, 1, owners)
}

func TestMembers_DatabaseRefusesOwnerlessCollection(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := env.NewUser(t)
	c := env.NewCollection(t, a)
	_, err := env.Pool.Exec(t.Context(), `UPDATE memberships SET role = 'viewer' WHERE collection_id = $1`, c.ID)
	require.ErrorContains(t, err, "would have no owner")
	// Deleting the collection cascades to its memberships and is allowed.
	_, err = env.Pool.Exec(t.Context(), `DELETE FROM collections WHERE id = $1`, c.ID)
	require.NoError(t, err)
}

func TestMembers_AddByEmailOrIDAndLeave(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	own, v, e := env.NewUser(t), env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, own)
	base := "/api/v1/collections/" + c.ID.String() + "/members"

	resp := env.Do(t, http.MethodPost, base, own.Token, map[string]any{"email": v.Email, "role": "viewer"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, "viewer", resp.Map(t)["role"])
	resp = env.Do(t, http.MethodPost, base, own.Token, map[string]any{"user_id": e.ID, "role": "editor"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)

	require.Equal(t, http.StatusConflict, env.Do(t, http.MethodPost, base, own.Token, map[string]any{"email": v.Email, "role": "editor"}).Status, "already a member")
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodPost, base, own.Token, map[string]any{"email": "nobody@example.com", "role": "viewer"}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, env.Do(t, http.MethodPost, base, own.Token, map[string]any{"email": v.Email, "role": "admin"}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, env.Do(t, http.MethodPost, base, own.Token, map[string]any{"role": "viewer"}).Status, "neither email nor user_id")

	var list struct {
		Items []map[string]any `json:"items"`
	}
	env.Do(t, http.MethodGet, base, v.Token, nil).JSON(t, &list)
	require.Len(t, list.Items, 3)
	require.Equal(t, own.ID.String(), list.Items[0]["user_id"], "members are listed in join order")

	// A viewer may leave, but not remove others.
	require.Equal(t, http.StatusForbidden, env.Do(t, http.MethodDelete, base+"/"+e.ID.String(), v.Token, nil).Status)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodDelete, base+"/"+v.ID.String(), v.Token, nil).Status)
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, base, v.Token, nil).Status)
}

func TestCollections_Pagination(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	want := map[string]bool{}
	for range 7 {
		want[env.NewCollection(t, u).ID.String()] = true
	}
	got := walk(t, env, u.Token, "/api/v1/collections?limit=3")
	require.Len(t, got, 7)
	for _, c := range got {
		require.True(t, want[c["id"].(string)])
	}
}
