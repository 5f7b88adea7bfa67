package collection_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
)

// inviteEnv is a team with email on (the real Mailpit), the SEND_EMAIL
// worker running and a clock the test moves.
type inviteEnv struct {
	*testfactory.Env
	team    testfactory.Team
	mailpit testfactory.Mailpit
	mu      sync.Mutex
	offset  time.Duration
}

func (e *inviteEnv) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

func setupInvite(t *testing.T) *inviteEnv {
	t.Helper()
	e := &inviteEnv{mailpit: testfactory.NewMailpit(t)}
	e.Env = testfactory.New(t, testfactory.Opts{Configure: func(c *config.Config) { e.mailpit.Configure(c) }, NowFunc: e.now})
	e.team = e.NewTeam(t)
	e.StartMailWorker(t)
	return e
}

var invitationLink = regexp.MustCompile(`http://atlas\.test/invitations/accept#token=([A-Za-z0-9_-]+)`)

// invitationToken waits for n invitation emails to address and returns
// the newest one and its token.
func (e *inviteEnv) invitationToken(t *testing.T, address string, n int) (testfactory.ReceivedMail, string) {
	t.Helper()
	var msg testfactory.ReceivedMail
	var token string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := e.mailpit.Find(c, address, "invited you to")
		require.Len(c, msgs, n)
		msg = msgs[0]
		m := invitationLink.FindStringSubmatch(msg.Text)
		require.NotNil(c, m, "the email has the link: %s", msg.Text)
		require.Contains(c, msg.HTML, m[0])
		token = m[1]
	}, 20*time.Second, 50*time.Millisecond)
	return msg, token
}

func newAddress() string { return "invitee-" + uuid.NewString()[:8] + "@example.com" }

func TestInvitation_AcceptedAfterRegisteringGivesTheRole(t *testing.T) {
	t.Parallel()
	e := setupInvite(t)
	ctx := context.Background()
	address := newAddress()

	inv, err := e.Collections.Invite(ctx, e.team.Owner.ID, e.team.Collection.ID, collection.InviteParams{Email: address, Role: collection.RoleEditor})
	require.NoError(t, err)
	require.Equal(t, collection.RoleEditor, inv.Role)
	require.WithinDuration(t, e.now().Add(collection.InvitationTTL), inv.ExpiresAt, time.Minute)
	pending, _, err := e.Collections.Invitations(ctx, e.team.Owner.ID, e.team.Collection.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, inv.ID, pending[0].ID)

	msg, token := e.invitationToken(t, address, 1)
	require.Contains(t, msg.Subject, e.team.Collection.Name)
	require.Equal(t, address, msg.To[0].Address)

	// The invitee registers, then accepts.
	u, err := e.Accounts.Register(ctx, account.RegisterParams{Email: address, Password: testfactory.Password})
	require.NoError(t, err)
	m, err := e.Collections.AcceptInvitation(ctx, u.ID, token)
	require.NoError(t, err)
	require.Equal(t, collection.RoleEditor, m.Role)
	require.Equal(t, u.ID, m.UserID)
	_, err = e.Collections.Get(ctx, u.ID, e.team.Collection.ID)
	require.NoError(t, err, "the invitee reads the collection")

	_, err = e.Collections.AcceptInvitation(ctx, e.team.Stranger.ID, token)
	require.ErrorIs(t, err, atlas.ErrInvalid, "a link works once")
	pending, _, err = e.Collections.Invitations(ctx, e.team.Owner.ID, e.team.Collection.ID, cursor.Page{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, pending)

	var types []events.Type
	for _, ev := range e.Outbox(t, testfactory.OutboxFilter{CollectionID: &e.team.Collection.ID}) {
		types = append(types, ev.Envelope.Type)
	}
	require.Subset(t, types, []events.Type{events.InvitationCreated, events.MembershipAdded, events.InvitationAccepted})
}

func TestInvitation_ExpiredRevokedOrRenewedLinksDoNotWork(t *testing.T) {
	t.Parallel()
	e := setupInvite(t)
	ctx := context.Background()
	owner, cid := e.team.Owner.ID, e.team.Collection.ID
	invitee := e.NewUser(t)

	// Expired.
	expiring := newAddress()
	_, err := e.Collections.Invite(ctx, owner, cid, collection.InviteParams{Email: expiring, Role: collection.RoleViewer})
	require.NoError(t, err)
	_, expiredToken := e.invitationToken(t, expiring, 1)

	// Revoked.
	revoked := newAddress()
	inv, err := e.Collections.Invite(ctx, owner, cid, collection.InviteParams{Email: revoked, Role: collection.RoleViewer})
	require.NoError(t, err)
	_, revokedToken := e.invitationToken(t, revoked, 1)
	require.ErrorIs(t, e.Collections.RevokeInvitation(ctx, e.team.Editor.ID, cid, inv.ID), atlas.ErrForbidden)
	require.NoError(t, e.Collections.RevokeInvitation(ctx, owner, cid, inv.ID))
	require.ErrorIs(t, e.Collections.RevokeInvitation(ctx, owner, cid, inv.ID), atlas.ErrNotFound)
	_, err = e.Collections.AcceptInvitation(ctx, invitee.ID, revokedToken)
	require.ErrorIs(t, err, atlas.ErrInvalid)

	// Renewed: inviting the address again sends a new link; the old one dies.
	renewed := newAddress()
	_, err = e.Collections.Invite(ctx, owner, cid, collection.InviteParams{Email: renewed, Role: collection.RoleViewer})
	require.NoError(t, err)
	_, oldToken := e.invitationToken(t, renewed, 1)
	_, err = e.Collections.Invite(ctx, owner, cid, collection.InviteParams{Email: strings.ToUpper(renewed), Role: collection.RoleEditor})
	require.NoError(t, err)
	_, newToken := e.invitationToken(t, renewed, 2)
	_, err = e.Collections.AcceptInvitation(ctx, invitee.ID, oldToken)
	require.ErrorIs(t, err, atlas.ErrInvalid)

	e.mu.Lock()
	e.offset = collection.InvitationTTL + time.Minute
	e.mu.Unlock()
	_, err = e.Collections.AcceptInvitation(ctx, invitee.ID, expiredToken)
	require.ErrorIs(t, err, atlas.ErrInvalid, "expired")
	_, err = e.Collections.AcceptInvitation(ctx, invitee.ID, newToken)
	require.ErrorIs(t, err, atlas.ErrInvalid, "expired too")
	_, err = e.Collections.AcceptInvitation(ctx, invitee.ID, "")
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestInvite_Refusals(t *testing.T) {
	t.Parallel()
	e := setupInvite(t)
	ctx := context.Background()
	cid := e.team.Collection.ID

	_, err := e.Collections.Invite(ctx, e.team.Editor.ID, cid, collection.InviteParams{Email: newAddress(), Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrForbidden, "owners only")
	_, err = e.Collections.Invite(ctx, e.team.Stranger.ID, cid, collection.InviteParams{Email: newAddress(), Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrNotFound)
	_, err = e.Collections.Invite(ctx, e.team.Owner.ID, cid, collection.InviteParams{Email: e.team.Stranger.Email, Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrConflict, "an address with an account is added as a member instead")
	_, err = e.Collections.Invite(ctx, e.team.Owner.ID, cid, collection.InviteParams{Email: "Eve <eve@example.com>", Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, err = e.Collections.Invite(ctx, e.team.Owner.ID, cid, collection.InviteParams{Email: newAddress(), Role: "admin"})
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, _, err = e.Collections.Invitations(ctx, e.team.Viewer.ID, cid, cursor.Page{Limit: 10})
	require.ErrorIs(t, err, atlas.ErrForbidden)

	// A member accepting an invitation to their own collection: conflict,
	// and the invitation stays for its invitee.
	address := newAddress()
	_, err = e.Collections.Invite(ctx, e.team.Owner.ID, cid, collection.InviteParams{Email: address, Role: collection.RoleOwner})
	require.NoError(t, err)
	_, token := e.invitationToken(t, address, 1)
	_, err = e.Collections.AcceptInvitation(ctx, e.team.Viewer.ID, token)
	require.ErrorIs(t, err, atlas.ErrConflict)
	m, err := e.Collections.AcceptInvitation(ctx, e.team.Stranger.ID, token)
	require.NoError(t, err)
	require.Equal(t, collection.RoleOwner, m.Role)

	off := testfactory.New(t)
	tm := off.NewTeam(t)
	_, err = off.Collections.Invite(ctx, tm.Owner.ID, tm.Collection.ID, collection.InviteParams{Email: newAddress(), Role: collection.RoleViewer})
	require.ErrorIs(t, err, atlas.ErrConflict)
	require.ErrorContains(t, err, "email is off")
}

func TestInvitation_InvitersDisplayNameCannotInjectHeaders(t *testing.T) {
	t.Parallel()
	e := setupInvite(t)
	ctx := context.Background()
	victim, address := newAddress(), newAddress()
	mallory, err := e.Accounts.Register(ctx, account.RegisterParams{Email: "mallory-" + uuid.NewString()[:8] + "@example.com",
		Password: testfactory.Password, DisplayName: "Mallory\r\nBcc: " + victim + "\r\nX-Injected: yes"})
	require.NoError(t, err)
	c, err := e.Collections.Create(ctx, mallory.ID, collection.CreateParams{Name: "Plans\r\nCc: " + victim})
	require.NoError(t, err)
	_, err = e.Collections.Invite(ctx, mallory.ID, c.ID, collection.InviteParams{Email: address, Role: collection.RoleViewer})
	require.NoError(t, err)

	msg, _ := e.invitationToken(t, address, 1)
	require.NotContains(t, msg.Subject, "\n")
	require.NotContains(t, msg.Subject, "\r")
	require.True(t, strings.HasPrefix(msg.Subject, "Mallory"), msg.Subject)
	require.Len(t, msg.To, 1)
	require.Empty(t, msg.Cc)
	require.Empty(t, msg.Bcc)
	for k := range e.mailpit.Headers(t, msg.ID) {
		require.NotContains(t, []string{"bcc", "cc", "x-injected"}, strings.ToLower(k))
	}
	require.Empty(t, e.mailpit.To(t, victim))
}
