package account_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
)

func TestPrincipalAuthorize_TokensAreNarrowerThanSessions(t *testing.T) {
	t.Parallel()
	user := uuid.New()
	session := account.Principal{UserID: user, SessionID: uuid.New()}
	read := account.Principal{UserID: user, TokenID: uuid.New(), Scope: account.ScopeRead}
	write := account.Principal{UserID: user, TokenID: uuid.New(), Scope: account.ScopeWrite}
	cases := []struct {
		name string
		p    account.Principal
		a    account.Access
		ok   bool
	}{
		{"session reads", session, account.AccessRead, true},
		{"session writes", session, account.AccessWrite, true},
		{"session manages credentials", session, account.AccessCredentials, true},
		{"read token reads", read, account.AccessRead, true},
		{"read token cannot write", read, account.AccessWrite, false},
		{"read token cannot manage credentials", read, account.AccessCredentials, false},
		{"write token reads", write, account.AccessRead, true},
		{"write token writes", write, account.AccessWrite, true},
		{"write token cannot manage credentials", write, account.AccessCredentials, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.p.Authorize(c.a)
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, atlas.ErrForbidden)
		})
	}
}
