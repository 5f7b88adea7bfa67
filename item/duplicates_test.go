package item_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

func TestCreate_ReportsTheSameLinkSavedInCollectionsTheCreatorCanRead(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	mine, shared, hidden := env.NewCollection(t, u), env.NewCollection(t, other), env.NewCollection(t, other)
	env.AddMember(t, other, shared.ID, u, collection.RoleViewer)
	first := env.NewItem(t, u, mine.ID, item.CreateParams{SourceURL: "https://www.example.com/post/?utm_source=rss"})
	require.Empty(t, first.Duplicates, "the first save has nothing to match")
	inShared := env.NewItem(t, other, shared.ID, item.CreateParams{SourceURL: "https://example.com/post#comments"})
	env.NewItem(t, other, hidden.ID, item.CreateParams{SourceURL: "https://example.com/post"})

	again := env.NewItem(t, u, mine.ID, item.CreateParams{Title: "Again", SourceURL: "HTTPS://EXAMPLE.com:443/post?fbclid=x"})
	require.Len(t, again.Duplicates, 2, "the hidden collection's copy is not reported")
	assert.Equal(t, first.ID, again.Duplicates[0].ItemID)
	assert.Equal(t, mine.Name, again.Duplicates[0].CollectionName)
	assert.True(t, again.Duplicates[0].CanEdit)
	assert.Equal(t, inShared.ID, again.Duplicates[1].ItemID)
	assert.Equal(t, shared.ID, again.Duplicates[1].CollectionID)
	assert.False(t, again.Duplicates[1].CanEdit, "a viewer there")

	other2 := env.NewItem(t, u, mine.ID, item.CreateParams{SourceURL: "https://example.com/other"})
	assert.Empty(t, other2.Duplicates)
}

func TestImport_SkipsBookmarksWhoseNormalisedURLIsSaved(t *testing.T) {
	t.Parallel()
	f := setupImport(t)
	f.env.NewItem(t, f.owner, f.collection, item.CreateParams{Title: "Mine", SourceURL: "https://have.example/page?id=1&utm_source=x"})
	imp := f.importFile(t, bookmarks("https://www.have.example/page/?id=1#top", "https://have.example/page?id=1&gclid=abc",
		"https://new.example/a?utm_medium=email", "https://NEW.example/a/"), item.DuplicateSkip)
	assert.Equal(t, []int{4, 1, 0, 3, 0}, []int{imp.Total, imp.Created, imp.Updated, imp.Skipped, imp.Failed})
	reasons := map[int]string{}
	for _, e := range imp.Report {
		reasons[e.Line] = e.Reason
	}
	assert.Equal(t, map[int]string{3: "already in the collection", 4: "already in the collection", 6: "already in the collection"}, reasons)
}

// setEnrichment stores metadata naming a canonical link, as ENRICH_URL does.
func setCanonical(t *testing.T, env *testfactory.Env, it item.Item, canonical string) {
	t.Helper()
	_, err := env.Items.SetMetadata(context.Background(), it.ID,
		[]byte(`{"source_url":"`+*it.SourceURL+`","canonical_url":"`+canonical+`"}`))
	require.NoError(t, err)
}

func TestDuplicates_GroupsExactAndNearDuplicatesAcrossReadableCollections(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	a, b, hidden := env.NewCollection(t, u), env.NewCollection(t, other), env.NewCollection(t, other)
	env.AddMember(t, other, b.ID, u, collection.RoleViewer)

	x1 := env.NewItem(t, u, a.ID, item.CreateParams{Title: "X", SourceURL: "https://x.example/a"})
	x2 := env.NewItem(t, other, b.ID, item.CreateParams{Title: "X again", SourceURL: "https://www.x.example/a/?utm_source=t"})
	env.NewItem(t, other, hidden.ID, item.CreateParams{Title: "X hidden", SourceURL: "https://x.example/a"})
	// Only one readable copy of y: no group, though a hidden one exists.
	env.NewItem(t, u, a.ID, item.CreateParams{SourceURL: "https://y.example/"})
	env.NewItem(t, other, hidden.ID, item.CreateParams{SourceURL: "https://y.example/"})
	// Near-duplicates: two URLs with one canonical link; one title on one host.
	c1 := env.NewItem(t, u, a.ID, item.CreateParams{Title: "C one", SourceURL: "https://c.example/story?id=1"})
	c2 := env.NewItem(t, u, a.ID, item.CreateParams{Title: "C two", SourceURL: "https://m.c.example/story/1"})
	setCanonical(t, env, c1, "https://c.example/story/1")
	setCanonical(t, env, c2, "https://c.example/story/1/")
	t1 := env.NewItem(t, u, a.ID, item.CreateParams{Title: "Release notes", SourceURL: "https://t.example/v1?ref=home"})
	t2 := env.NewItem(t, u, a.ID, item.CreateParams{Title: "release NOTES", SourceURL: "https://t.example/v1?ref=feed"})

	ids := func(g item.DuplicateGroup) []any {
		out := []any{}
		for _, d := range g.Items {
			out = append(out, d.ItemID)
		}
		return out
	}
	list := func(kind item.DuplicateKind) []item.DuplicateGroup {
		gs, next, err := env.Items.Duplicates(context.Background(), u.ID, item.DuplicatesParams{Kind: kind, Page: cursor.Page{Limit: 10}})
		require.NoError(t, err)
		require.Empty(t, next)
		return gs
	}
	exact := list(item.DuplicateExact)
	require.Len(t, exact, 1)
	assert.Equal(t, "https://x.example/a", exact[0].Key)
	assert.Equal(t, []any{x1.ID, x2.ID}, ids(exact[0]))
	assert.True(t, exact[0].Items[0].CanEdit)
	assert.False(t, exact[0].Items[1].CanEdit)

	canon := list(item.DuplicateCanonical)
	require.Len(t, canon, 1)
	assert.Equal(t, []any{c1.ID, c2.ID}, ids(canon[0]))
	assert.Equal(t, item.DuplicateCanonical, canon[0].Kind)

	titled := list(item.DuplicateTitleHost)
	require.Len(t, titled, 1)
	assert.Equal(t, "t.example release notes", titled[0].Key)
	assert.Equal(t, []any{t1.ID, t2.ID}, ids(titled[0]))

	// The stranger sees none of it.
	gs, _, err := env.Items.Duplicates(context.Background(), env.NewUser(t).ID, item.DuplicatesParams{Page: cursor.Page{Limit: 10}})
	require.NoError(t, err)
	assert.Empty(t, gs)
}

func TestDuplicates_PagesByKey(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	for _, h := range []string{"a", "b", "c", "d", "e"} {
		env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://" + h + ".example/"})
		env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://www." + h + ".example"})
	}
	var keys []string
	after := ""
	for range 5 {
		gs, next, err := env.Items.Duplicates(context.Background(), u.ID, item.DuplicatesParams{Page: cursor.Page{Limit: 2, After: after}})
		require.NoError(t, err)
		for _, g := range gs {
			require.Len(t, g.Items, 2)
			keys = append(keys, g.Key)
		}
		if next == "" {
			break
		}
		after = next
	}
	assert.Equal(t, []string{"https://a.example", "https://b.example", "https://c.example", "https://d.example", "https://e.example"}, keys)

	_, _, err := env.Items.Duplicates(context.Background(), env.NewUser(t).ID, item.DuplicatesParams{Page: cursor.Page{Limit: 2, After: after}})
	require.Error(t, err, "a cursor is bound to its person")
	_, _, err = env.Items.Duplicates(context.Background(), u.ID, item.DuplicatesParams{Kind: "fuzzy", Page: cursor.Page{Limit: 2}})
	require.Error(t, err)
}

func TestBackfillLinkKeys_WritesTheKeysOfItemsStoredWithoutThem(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	ctx := context.Background()
	a := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://WWW.Example.com/a/?utm_source=x"})
	setCanonical(t, env, a, "https://example.com/canonical-a")
	env.NewItem(t, u, c.ID, item.CreateParams{Title: "no link"})
	_, err := env.Pool.Exec(ctx, `UPDATE items SET normalized_url = NULL, canonical_url = NULL`)
	require.NoError(t, err)

	n, err := item.BackfillLinkKeys(ctx, env.Pool)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the item with a link")
	var norm, canon, host string
	require.NoError(t, env.Pool.QueryRow(ctx, `SELECT normalized_url, canonical_url, url_host FROM items WHERE id = $1`, a.ID).Scan(&norm, &canon, &host))
	assert.Equal(t, []string{"https://example.com/a", "https://example.com/canonical-a", "example.com"}, []string{norm, canon, host})

	n, err = item.BackfillLinkKeys(ctx, env.Pool)
	require.NoError(t, err)
	assert.Zero(t, n, "idempotent")
}
