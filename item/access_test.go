package item_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// TestItemAccess_EachRoleGetsWhatThePolicyAllows checks the item service's
// reads and writes of an existing item and of an import against every role
// and a stranger: what collection.AuthorizeChild decides.
func TestItemAccess_EachRoleGetsWhatThePolicyAllows(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	ctx := context.Background()
	imp, err := env.Items.CreateImport(ctx, tm.Owner.ID, tm.Collection.ID, item.CreateImportParams{File: strings.NewReader(`[]`)})
	require.NoError(t, err)
	for _, role := range append(collection.Roles, "") {
		u := tm.Member(role)
		it := env.NewItem(t, tm.Owner, tm.Collection.ID, item.CreateParams{})
		check := func(a collection.Action, err error, what string) {
			t.Helper()
			switch {
			case role == "":
				require.ErrorIs(t, err, atlas.ErrNotFound, "a stranger: %s", what)
			case role.Allows(a):
				require.NoError(t, err, "%s: %s", role, what)
			default:
				require.ErrorIs(t, err, atlas.ErrForbidden, "%s: %s", role, what)
			}
		}
		_, err := env.Items.Get(ctx, u.ID, it.ID)
		check(collection.ActionRead, err, "get item")
		_, err = env.Items.GetImport(ctx, u.ID, imp.ID)
		check(collection.ActionRead, err, "get import")
		title := "changed"
		_, err = env.Items.Update(ctx, u.ID, it.ID, item.UpdateParams{Title: &title})
		check(collection.ActionWriteItems, err, "update item")
		check(collection.ActionWriteItems, env.Items.Delete(ctx, u.ID, it.ID), "delete item")
	}
}
