package account_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
)

// signedIn is a factory user with a second session, and the principals of
// both.
type signedIn struct {
	env           *testfactory.Env
	user          testfactory.User
	first, second account.Principal
}

func setupSignedIn(t *testing.T) signedIn {
	t.Helper()
	env := testfactory.New(t)
	u := env.NewUser(t)
	ctx := context.Background()
	in, _, err := env.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{UserAgent: "second"})
	require.NoError(t, err)
	first, err := env.Accounts.Authenticate(ctx, u.Token)
	require.NoError(t, err)
	second, err := env.Accounts.Authenticate(ctx, in.Access.AccessToken)
	require.NoError(t, err)
	return signedIn{env: env, user: u, first: first, second: second}
}

// lastEvent returns the user's latest event in the outbox and its data.
func (s signedIn) lastEvent(t *testing.T) (events.Envelope, map[string]any) {
	t.Helper()
	evs := s.env.Outbox(t, testfactory.OutboxFilter{EntityID: &s.user.ID})
	require.NotEmpty(t, evs)
	e := evs[len(evs)-1].Envelope
	var data map[string]any
	require.NoError(t, json.Unmarshal(e.Data, &data))
	return e, data
}

// pageOf is a first page of n.
func pageOf(n int) cursor.Page { return cursor.Page{Limit: n} }

func TestLogout_EndsThatSessionOnly(t *testing.T) {
	t.Parallel()
	s := setupSignedIn(t)
	ctx := context.Background()
	require.NoError(t, s.env.Accounts.Logout(ctx, s.first))
	_, err := s.env.Accounts.Authenticate(ctx, s.user.Token)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the signed-out session's access token stops working")
	_, err = s.env.Accounts.Refresh(ctx, s.user.Refresh, account.Client{})
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "and so does its refresh token")
	sessions, _, err := s.env.Accounts.ListSessions(ctx, s.second, pageOf(50))
	require.NoError(t, err)
	require.Len(t, sessions, 1)
	assert.Equal(t, s.second.SessionID, sessions[0].ID, "the other session lives on")

	e, data := s.lastEvent(t)
	assert.Equal(t, events.SessionRevoked, e.Type)
	assert.Equal(t, account.RevokedBySignOut, data["reason"])
	assert.Equal(t, []any{s.first.SessionID.String()}, data["session_ids"])
}

func TestRevokeOtherSessions_KeepsTheCurrentOne(t *testing.T) {
	t.Parallel()
	s := setupSignedIn(t)
	ctx := context.Background()
	require.NoError(t, s.env.Accounts.RevokeOtherSessions(ctx, s.second))
	sessions, _, err := s.env.Accounts.ListSessions(ctx, s.second, pageOf(50))
	require.NoError(t, err)
	require.Len(t, sessions, 1)
	assert.Equal(t, s.second.SessionID, sessions[0].ID)
	_, data := s.lastEvent(t)
	assert.Equal(t, account.RevokedOthers, data["reason"])

	require.ErrorIs(t, s.env.Accounts.RevokeSession(ctx, s.second, uuid.New()), atlas.ErrNotFound, "an unknown session is not found")
}

func TestChangePassword_EndsOtherSessionsAndNeedsTheCurrentPassword(t *testing.T) {
	t.Parallel()
	s := setupSignedIn(t)
	ctx := context.Background()
	_, secret, err := s.env.Accounts.CreateToken(ctx, s.first, account.CreateTokenParams{Name: "ci", Scope: account.ScopeWrite})
	require.NoError(t, err)

	err = s.env.Accounts.ChangePassword(ctx, s.first, account.ChangePasswordParams{Current: "wrong password", New: "a new long password"})
	require.ErrorIs(t, err, atlas.ErrForbidden)
	_, _, err = s.env.Accounts.Login(ctx, s.user.Email, testfactory.Password, account.Client{})
	require.NoError(t, err, "a refused change changes nothing")

	require.NoError(t, s.env.Accounts.ChangePassword(ctx, s.first, account.ChangePasswordParams{Current: testfactory.Password, New: "a new long password"}))
	_, err = s.env.Accounts.Authenticate(ctx, s.user.Token)
	require.NoError(t, err, "the session that changed the password stays")
	sessions, _, err := s.env.Accounts.ListSessions(ctx, s.first, pageOf(50))
	require.NoError(t, err)
	require.Len(t, sessions, 1, "every other session ended")
	_, _, err = s.env.Accounts.Login(ctx, s.user.Email, testfactory.Password, account.Client{})
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the old password no longer signs in")
	_, err = s.env.Accounts.Authenticate(ctx, secret)
	require.NoError(t, err, "API tokens stay valid")
}

func TestCreateToken_OnlyASessionMayAndTheSecretAuthenticatesWithItsScope(t *testing.T) {
	t.Parallel()
	s := setupSignedIn(t)
	ctx := context.Background()
	tok, secret, err := s.env.Accounts.CreateToken(ctx, s.first, account.CreateTokenParams{Name: " reader ", Scope: account.ScopeRead})
	require.NoError(t, err)
	assert.Equal(t, "reader", tok.Name)
	e, data := s.lastEvent(t)
	assert.Equal(t, events.APITokenCreated, e.Type)
	assert.Equal(t, tok.ID.String(), data["token_id"])
	assert.NotContains(t, string(e.Data), secret, "no secret in an event")

	p, err := s.env.Accounts.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, s.user.ID, p.UserID)
	assert.Equal(t, account.ScopeRead, p.Scope)
	require.ErrorIs(t, p.Authorize(account.AccessWrite), atlas.ErrForbidden, "a read token cannot write")
	_, _, err = s.env.Accounts.CreateToken(ctx, p, account.CreateTokenParams{Name: "more", Scope: account.ScopeWrite})
	require.ErrorIs(t, err, atlas.ErrForbidden, "a token cannot mint tokens")

	_, _, err = s.env.Accounts.CreateToken(ctx, s.first, account.CreateTokenParams{Name: "x", Scope: "admin"})
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestRevokeToken_StopsItAtOnceAndOnlyItsOwnerMay(t *testing.T) {
	t.Parallel()
	s := setupSignedIn(t)
	ctx := context.Background()
	tok, secret, err := s.env.Accounts.CreateToken(ctx, s.first, account.CreateTokenParams{Name: "ci", Scope: account.ScopeWrite})
	require.NoError(t, err)
	_, err = s.env.Accounts.Authenticate(ctx, secret)
	require.NoError(t, err)

	other, err := s.env.Accounts.Authenticate(ctx, s.env.NewUser(t).Token)
	require.NoError(t, err)
	require.ErrorIs(t, s.env.Accounts.RevokeToken(ctx, other, tok.ID), atlas.ErrNotFound, "another user's token is not found")

	require.NoError(t, s.env.Accounts.RevokeToken(ctx, s.first, tok.ID))
	_, err = s.env.Accounts.Authenticate(ctx, secret)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)
	e, _ := s.lastEvent(t)
	assert.Equal(t, events.APITokenRevoked, e.Type)
}
