package collection_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
)

func TestAuthorizeChild_RolesTimesActions(t *testing.T) {
	t.Parallel()
	// allowed[role] lists the actions the role allows; every other action
	// is forbidden to it, and a non-member hears the child does not exist.
	allowed := map[collection.Role][]collection.Action{
		collection.RoleOwner:  {collection.ActionRead, collection.ActionWriteItems, collection.ActionManage, collection.ActionLeave},
		collection.RoleEditor: {collection.ActionRead, collection.ActionWriteItems, collection.ActionLeave},
		collection.RoleViewer: {collection.ActionRead, collection.ActionLeave},
		"admin":               nil, // an unknown role grants nothing
	}
	for _, kind := range []collection.Child{collection.ChildItem, collection.ChildImport, collection.ChildJob} {
		for role, allows := range allowed {
			for _, a := range collection.Actions {
				t.Run(string(kind)+"/"+string(role)+"/"+a.String(), func(t *testing.T) {
					t.Parallel()
					r := role
					got, err := collection.AuthorizeChild(kind, &r, a)
					if slices.Contains(allows, a) {
						require.NoError(t, err)
						require.Equal(t, role, got)
						return
					}
					require.ErrorIs(t, err, atlas.ErrForbidden)
					require.NotErrorIs(t, err, atlas.ErrNotFound)
				})
			}
		}
		for _, a := range collection.Actions {
			_, err := collection.AuthorizeChild(kind, nil, a)
			require.ErrorIs(t, err, atlas.ErrNotFound, "a non-member must not learn the %s exists", kind)
			require.EqualError(t, err, string(kind)+" not found")
		}
	}
}

func TestPermissionsOf_DescribesWhatTheRoleAllows(t *testing.T) {
	t.Parallel()
	require.Equal(t, collection.Permissions{Read: true, WriteItems: true, Manage: true, Leave: true}, collection.PermissionsOf(collection.RoleOwner))
	require.Equal(t, collection.Permissions{Read: true, WriteItems: true, Leave: true}, collection.PermissionsOf(collection.RoleEditor))
	require.Equal(t, collection.Permissions{Read: true, Leave: true}, collection.PermissionsOf(collection.RoleViewer))
	require.Equal(t, collection.Permissions{}, collection.PermissionsOf("admin"))
	for _, r := range append(collection.Roles, "admin") {
		p := collection.PermissionsOf(r)
		require.Equal(t, []bool{r.Allows(collection.ActionRead), r.Allows(collection.ActionWriteItems), r.Allows(collection.ActionManage),
			r.Allows(collection.ActionLeave)}, []bool{p.Read, p.WriteItems, p.Manage, p.Leave}, "one field per action, for %q", r)
	}
}
