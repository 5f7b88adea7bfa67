package collection_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	type want int
	const (
		allow want = iota
		forbid
		hide
	)
	cases := []struct {
		role   collection.Role
		member bool
		action collection.Action
		want   want
	}{
		{collection.RoleOwner, true, collection.ActionRead, allow},
		{collection.RoleOwner, true, collection.ActionWriteItems, allow},
		{collection.RoleOwner, true, collection.ActionManage, allow},
		{collection.RoleEditor, true, collection.ActionRead, allow},
		{collection.RoleEditor, true, collection.ActionWriteItems, allow},
		{collection.RoleEditor, true, collection.ActionManage, forbid},
		{collection.RoleViewer, true, collection.ActionRead, allow},
		{collection.RoleViewer, true, collection.ActionWriteItems, forbid},
		{collection.RoleViewer, true, collection.ActionManage, forbid},
		{collection.RoleOwner, true, collection.ActionLeave, allow},
		{collection.RoleEditor, true, collection.ActionLeave, allow},
		{collection.RoleViewer, true, collection.ActionLeave, allow},
		{"", false, collection.ActionLeave, hide},
		{"", false, collection.ActionRead, hide},
		{"", false, collection.ActionWriteItems, hide},
		{"", false, collection.ActionManage, hide},
		{"admin", true, collection.ActionRead, forbid}, // unknown role grants nothing
	}
	for _, tc := range cases {
		t.Run(string(tc.role)+"/"+tc.action.String(), func(t *testing.T) {
			t.Parallel()
			err := collection.Decide(tc.role, tc.member, tc.action)
			switch tc.want {
			case allow:
				require.NoError(t, err)
			case forbid:
				require.ErrorIs(t, err, atlas.ErrForbidden)
			case hide:
				require.ErrorIs(t, err, atlas.ErrNotFound, "non-members must not learn the collection exists")
			}
		})
	}
}

func TestRemoveAction_LeavingIsLeaveAndRemovingOthersIsManage(t *testing.T) {
	t.Parallel()
	me, other := uuid.New(), uuid.New()
	require.Equal(t, collection.ActionLeave, collection.RemoveAction(me, me))
	require.Equal(t, collection.ActionManage, collection.RemoveAction(me, other))
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, r := range collection.Roles {
		got, err := collection.ParseRole(string(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	for _, bad := range []string{"", "Owner", "admin", " viewer"} {
		_, err := collection.ParseRole(bad)
		require.ErrorIs(t, err, atlas.ErrInvalid, bad)
	}
}
