package api_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
)

// teamAccess is how a caller reaches the fixture's collection: through a
// team only, directly only, or both (a direct role and a team's role).
type teamAccess struct {
	name   string
	direct collection.Role // "" for none
	team   collection.Role // "" for none
	// as is the caller of rbacMatrix whose answers this caller must get:
	// the highest of the two roles.
	as string
}

var teamAccesses = []teamAccess{
	{"team-only owner", "", collection.RoleOwner, owner},
	{"team-only editor", "", collection.RoleEditor, editor},
	{"team-only viewer", "", collection.RoleViewer, viewer},
	{"direct viewer and team editor", collection.RoleViewer, collection.RoleEditor, editor},
	{"direct editor and team viewer", collection.RoleEditor, collection.RoleViewer, editor},
	{"direct viewer and team owner", collection.RoleViewer, collection.RoleOwner, owner},
}

// collectionScoped reports whether a row's answer depends on the caller's
// role in the fixture's collection (the team's own routes do not).
func collectionScoped(name string, tc rbacCase) bool {
	if strings.HasPrefix(tc.path, "/api/v1/teams") || strings.Contains(name, "team-membership") {
		return false
	}
	return tc.want[owner] != tc.want[nonMember] || tc.want[viewer] != tc.want[nonMember]
}

// TestRBACMatrix_TeamRoles runs every collection-scoped row of the matrix
// for callers who reach the collection through a team, directly, or both:
// each must get exactly what a direct member with the highest of their
// roles gets, so no route checks access its own way.
func TestRBACMatrix_TeamRoles(t *testing.T) {
	t.Parallel()
	rows := 0
	for name, tc := range rbacMatrix {
		if !collectionScoped(name, tc) {
			continue
		}
		rows++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, apitest.Opts{Configure: emailOn})
			for _, acc := range teamAccesses {
				t.Run(acc.name, func(t *testing.T) {
					f := newFixture(t, env)
					me := env.NewUser(t)
					cid := uuid.MustParse(f.collectionID)
					if acc.direct != "" {
						env.AddMember(t, f.users[owner], cid, me, acc.direct)
					}
					if acc.team != "" {
						tm := env.NewTeamOf(t, f.users[owner], me)
						env.ShareWithTeam(t, f.users[owner], cid, tm.ID, acc.team)
					}
					var body any
					if tc.body != nil {
						body = tc.body(f)
					}
					path := f.path(tc.path, me, "")
					resp := env.Do(t, tc.method, path, me.Token, body)
					require.Equal(t, tc.want[acc.as], resp.Status, "%s %s as %s: %s", tc.method, path, acc.name, resp.Body)
				})
			}
		})
	}
	require.Greater(t, rows, 15, "the collection-scoped rows of the matrix")
}
