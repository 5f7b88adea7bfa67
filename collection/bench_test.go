package collection_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/testfactory"
)

// BenchmarkAccessCheck measures the one access check (Authorize: the role
// through RoleSQL) and the search filter (VisibleIDs) for a user in no team
// and for a user in 50 teams, each of which is a member of a collection of
// its own; the user reaches the checked collection directly in both cases,
// so the difference is what teams cost every request.
func BenchmarkAccessCheck(b *testing.B) {
	for _, teams := range []int{0, 50} {
		env := testfactory.New(b)
		owner, user := env.NewUser(b), env.NewUser(b)
		target := env.NewCollection(b, owner)
		env.AddMember(b, owner, target.ID, user, collection.RoleEditor)
		for range teams {
			tm := env.NewTeamOf(b, owner, user)
			c := env.NewCollection(b, owner)
			env.ShareWithTeam(b, owner, c.ID, tm.ID, collection.RoleViewer)
		}
		ctx := context.Background()
		b.Run(fmt.Sprintf("authorize/teams=%d", teams), func(b *testing.B) {
			for b.Loop() {
				if _, err := env.Collections.Authorize(ctx, env.Pool, user.ID, target.ID, collection.ActionWriteItems); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("visible/teams=%d", teams), func(b *testing.B) {
			for b.Loop() {
				ids, err := env.Collections.VisibleIDs(ctx, env.Pool, user.ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(ids) != teams+1 {
					b.Fatalf("visible: %d collections, want %d", len(ids), teams+1)
				}
			}
		})
	}
}
