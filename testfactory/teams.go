package testfactory

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
)

// NewTeamOf creates a team owned by owner with members (role member).
func (e *Env) NewTeamOf(t testing.TB, owner User, members ...User) collection.Team {
	t.Helper()
	ctx := context.Background()
	tm, err := e.Collections.CreateTeam(ctx, owner.ID, "Team "+uuid.NewString()[:6])
	require.NoError(t, err)
	for _, m := range members {
		_, err := e.Collections.AddTeamMember(ctx, owner.ID, tm.ID, collection.AddTeamMemberParams{UserID: &m.ID, Role: collection.TeamRoleMember})
		require.NoError(t, err)
	}
	return tm
}

// ShareWithTeam makes team a member of collection c with role (owner, an
// owner of c who belongs to the team, acts).
func (e *Env) ShareWithTeam(t testing.TB, owner User, c, team uuid.UUID, role collection.Role) {
	t.Helper()
	_, err := e.Collections.AddMember(context.Background(), owner.ID, c, collection.AddMemberParams{TeamID: &team, Role: role})
	require.NoError(t, err)
}
