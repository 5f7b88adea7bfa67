package publiclink_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/testfactory"
)

// clock is a settable clock for expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func TestCreate_OwnersOnly(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	ctx := context.Background()
	for role, want := range map[collection.Role]error{
		collection.RoleEditor: atlas.ErrForbidden, collection.RoleViewer: atlas.ErrForbidden, "": atlas.ErrNotFound,
	} {
		_, _, err := env.PublicLinks.Create(ctx, tm.Member(role).ID, tm.Collection.ID, publiclink.CreateParams{})
		require.ErrorIs(t, err, want, "role %q", role)
		err = env.PublicLinks.Revoke(ctx, tm.Member(role).ID, tm.Collection.ID, uuid.New())
		require.ErrorIs(t, err, want, "revoke as role %q", role)
	}
	l, secret, err := env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{})
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	require.NoError(t, err)
	require.Len(t, raw, 32, "a secret carries 256 random bits")
	var stored []byte
	require.NoError(t, env.Pool.QueryRow(ctx, `SELECT token_hash FROM public_links WHERE id = $1`, l.ID).Scan(&stored))
	require.NotContains(t, string(stored), secret, "only a hash is stored")

	// Every member sees the link; a stranger does not see the collection.
	links, _, err := env.PublicLinks.List(ctx, tm.Viewer.ID, tm.Collection.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, links, 1)
	require.Equal(t, l.ID, links[0].ID)
	_, _, err = env.PublicLinks.List(ctx, tm.Stranger.ID, tm.Collection.ID, cursor.Page{Limit: 10})
	require.ErrorIs(t, err, atlas.ErrNotFound)
}

func TestResolve_RevokedExpiredAndGuessedAreNotFound(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now().UTC()}
	env := testfactory.New(t, testfactory.Opts{NowFunc: clk.Now})
	tm := env.NewTeam(t)
	ctx := context.Background()

	l, secret, err := env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{})
	require.NoError(t, err)
	sh, err := env.PublicLinks.Resolve(ctx, secret)
	require.NoError(t, err)
	require.Equal(t, tm.Collection.ID, sh.Link.CollectionID)
	require.Equal(t, tm.Collection.Name, sh.Name)

	require.NoError(t, env.PublicLinks.Revoke(ctx, tm.Owner.ID, tm.Collection.ID, l.ID))
	_, err = env.PublicLinks.Resolve(ctx, secret)
	require.ErrorIs(t, err, atlas.ErrNotFound, "revoked: dead at once")
	require.ErrorIs(t, env.PublicLinks.Revoke(ctx, tm.Owner.ID, tm.Collection.ID, l.ID), atlas.ErrNotFound, "revoked twice")

	at := clk.Now().Add(time.Hour)
	_, expiring, err := env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{ExpiresAt: &at})
	require.NoError(t, err)
	_, err = env.PublicLinks.Resolve(ctx, expiring)
	require.NoError(t, err)
	clk.Advance(time.Hour)
	_, err = env.PublicLinks.Resolve(ctx, expiring)
	require.ErrorIs(t, err, atlas.ErrNotFound, "expired")

	past := clk.Now().Add(-time.Minute)
	_, _, err = env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{ExpiresAt: &past})
	require.ErrorIs(t, err, atlas.ErrInvalid, "an expiry in the past")

	for _, guess := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("!", 43), secret[:42], secret + "A", uuid.NewString()} {
		_, err = env.PublicLinks.Resolve(ctx, guess)
		require.ErrorIs(t, err, atlas.ErrNotFound, "guess %q", guess)
	}
}

func TestCreateAndRevoke_RecordTheirEvents(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	ctx := context.Background()
	at := time.Now().Add(24 * time.Hour)
	l, secret, err := env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{ExpiresAt: &at, Indexable: true})
	require.NoError(t, err)
	require.NoError(t, env.PublicLinks.Revoke(ctx, tm.Owner.ID, tm.Collection.ID, l.ID))

	for _, typ := range []events.Type{events.PublicLinkCreated, events.PublicLinkRevoked} {
		evs := env.Outbox(t, testfactory.OutboxFilter{CollectionID: &tm.Collection.ID, Type: typ})
		require.Len(t, evs, 1, "%s", typ)
		e := evs[0]
		require.Equal(t, events.EntityCollection, e.Envelope.Entity.Type)
		require.Equal(t, tm.Owner.ID, *e.Envelope.ActorUserID)
		require.NotContains(t, e.Raw, secret, "the secret is never in an event")
		var data struct {
			LinkID    uuid.UUID `json:"link_id"`
			Indexable bool      `json:"indexable"`
		}
		require.NoError(t, json.Unmarshal(e.Envelope.Data, &data))
		require.Equal(t, l.ID, data.LinkID)
		require.True(t, data.Indexable)
	}
}

func TestCollectionDeleted_KillsItsLinks(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	tm := env.NewTeam(t)
	ctx := context.Background()
	_, secret, err := env.PublicLinks.Create(ctx, tm.Owner.ID, tm.Collection.ID, publiclink.CreateParams{})
	require.NoError(t, err)
	require.NoError(t, env.Collections.Delete(ctx, tm.Owner.ID, tm.Collection.ID))
	_, err = env.PublicLinks.Resolve(ctx, secret)
	require.ErrorIs(t, err, atlas.ErrNotFound)
}
