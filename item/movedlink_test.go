package item_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

func moved(to string) item.LinkObservation {
	return item.LinkObservation{Status: item.LinkMoved, HTTPStatus: http.StatusOK, MovedTo: to, Detail: "redirects permanently"}
}

func TestUseMovedURL_AdoptsTheConfirmedNewAddressOnce(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	it := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://old.example/post"})
	env.ConfirmLink(t, it, moved("https://new.example/post"))
	read, err := env.Items.Get(context.Background(), u.ID, it.ID)
	require.NoError(t, err)

	got, err := env.Items.UseMovedURL(context.Background(), u.ID, it.ID, read.Version)
	require.NoError(t, err)
	require.NotNil(t, got.SourceURL)
	assert.Equal(t, "https://new.example/post", *got.SourceURL)
	assert.Equal(t, read.Version+1, got.Version)
	assert.Nil(t, got.Link, "the new address is not checked yet")
	stored, err := env.Items.Get(context.Background(), u.ID, it.ID)
	require.NoError(t, err)
	assert.Equal(t, "https://new.example/post", *stored.SourceURL)
	assert.Nil(t, stored.Link, "the old URL's status does not stick to the new one")
	upd := env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID, Type: events.ItemUpdated})
	require.Len(t, upd, 1)
	assert.Equal(t, &u.ID, upd[0].Envelope.ActorUserID)

	// Again: the new address has not moved (yet), so there is nothing to adopt.
	_, err = env.Items.UseMovedURL(context.Background(), u.ID, it.ID, got.Version)
	require.ErrorIs(t, err, atlas.ErrConflict)
}

func TestUseMovedURL_RefusesStaleVersionsLinksNotMovedAndViewers(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, u)
	env.AddMember(t, u, c.ID, other, collection.RoleViewer)
	movedItem := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://old.example/a"})
	env.ConfirmLink(t, movedItem, moved("https://new.example/a"))
	gone := env.NewItem(t, u, c.ID, item.CreateParams{SourceURL: "https://old.example/b"})
	env.ConfirmLink(t, gone, item.LinkObservation{Status: item.LinkGone, HTTPStatus: http.StatusGone})
	read, err := env.Items.Get(context.Background(), u.ID, movedItem.ID)
	require.NoError(t, err)
	stranger := env.NewUser(t)

	_, err = env.Items.UseMovedURL(context.Background(), u.ID, movedItem.ID, read.Version-1)
	require.ErrorIs(t, err, atlas.ErrConflict, "someone changed the item since it was read")
	goneRead, err := env.Items.Get(context.Background(), u.ID, gone.ID)
	require.NoError(t, err)
	_, err = env.Items.UseMovedURL(context.Background(), u.ID, gone.ID, goneRead.Version)
	require.ErrorIs(t, err, atlas.ErrConflict, "a dead link has no new address")
	_, err = env.Items.UseMovedURL(context.Background(), other.ID, movedItem.ID, read.Version)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, err = env.Items.UseMovedURL(context.Background(), stranger.ID, movedItem.ID, read.Version)
	require.ErrorIs(t, err, atlas.ErrNotFound)

	stored, err := env.Items.GetForSystem(context.Background(), movedItem.ID)
	require.NoError(t, err)
	assert.Equal(t, "https://old.example/a", *stored.SourceURL, "nothing changed")
	assert.Equal(t, read.Version, stored.Version)
}

func TestCheckDuplicates_AnswersBeforeSavingOverReadableCollections(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	mine, shared, hidden := env.NewCollection(t, u), env.NewCollection(t, other), env.NewCollection(t, other)
	env.AddMember(t, other, shared.ID, u, collection.RoleViewer)
	first := env.NewItem(t, u, mine.ID, item.CreateParams{SourceURL: "https://example.com/post"})
	inShared := env.NewItem(t, other, shared.ID, item.CreateParams{SourceURL: "https://www.example.com/post/#c"})
	env.NewItem(t, other, hidden.ID, item.CreateParams{SourceURL: "https://example.com/post"})

	got, err := env.Items.CheckDuplicates(context.Background(), u.ID, "HTTPS://Example.com:443/post?utm_source=feed")
	require.NoError(t, err)
	require.Len(t, got, 2, "not the hidden collection's copy")
	assert.Equal(t, first.ID, got[0].ItemID)
	assert.True(t, got[0].CanEdit)
	assert.Equal(t, inShared.ID, got[1].ItemID)
	assert.Equal(t, shared.Name, got[1].CollectionName)
	assert.False(t, got[1].CanEdit)

	none, err := env.Items.CheckDuplicates(context.Background(), u.ID, "https://example.com/another")
	require.NoError(t, err)
	assert.Empty(t, none)
	for _, bad := range []string{"", "   ", "ftp://example.com/x", "not a url"} {
		_, err := env.Items.CheckDuplicates(context.Background(), u.ID, bad)
		require.ErrorIs(t, err, atlas.ErrInvalid, bad)
	}
	page, _, err := env.Items.List(context.Background(), u.ID, mine.ID, item.ListParams{Page: cursor.Page{Limit: 10}})
	require.NoError(t, err)
	assert.Len(t, page, 1, "checking saves nothing")
}
