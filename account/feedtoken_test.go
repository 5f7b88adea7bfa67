package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/testfactory"
)

func TestFeedToken_OpensFeedsOnlyAndDiesWhenRevoked(t *testing.T) {
	t.Parallel()
	env := testfactory.New(t)
	u := env.NewUser(t)
	ctx := context.Background()
	session := account.Principal{UserID: u.ID, SessionID: u.SessionID}
	tok, secret, err := env.Accounts.CreateToken(ctx, session, account.CreateTokenParams{Name: "reader", Scope: account.ScopeFeed})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(secret, account.FeedTokenPrefix), secret)

	p, err := env.Accounts.AuthenticateFeed(ctx, secret)
	require.NoError(t, err)
	require.Equal(t, u.ID, p.UserID)
	require.ErrorIs(t, p.Authorize(account.AccessRead), atlas.ErrForbidden, "a feed token reads nothing of the JSON API")

	_, err = env.Accounts.Authenticate(ctx, secret)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the JSON API refuses a feed token")
	_, err = env.Accounts.Authenticate(ctx, account.APITokenPrefix+strings.TrimPrefix(secret, account.FeedTokenPrefix))
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "nor its secret under the API prefix")

	_, pat, err := env.Accounts.CreateToken(ctx, session, account.CreateTokenParams{Name: "script", Scope: account.ScopeRead})
	require.NoError(t, err)
	_, err = env.Accounts.AuthenticateFeed(ctx, pat)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "an API token is no feed token")
	_, err = env.Accounts.AuthenticateFeed(ctx, u.Token)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "an access token is no feed token")

	listed, _, err := env.Accounts.ListTokens(ctx, session, pageOf(10))
	require.NoError(t, err)
	require.Len(t, listed, 2, "feed tokens are listed with the account's tokens")

	require.NoError(t, env.Accounts.RevokeToken(ctx, session, tok.ID))
	_, err = env.Accounts.AuthenticateFeed(ctx, secret)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "revoked at once")

	_, _, err = env.Accounts.CreateToken(ctx, p, account.CreateTokenParams{Name: "x", Scope: account.ScopeFeed})
	require.ErrorIs(t, err, atlas.ErrForbidden, "a feed token creates no token")
}
