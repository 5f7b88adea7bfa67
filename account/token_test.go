package account_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
)

func issuer(t *testing.T, now func() time.Time) *account.TokenIssuer {
	t.Helper()
	ti, err := account.NewTokenIssuer(account.TokenParams{Secret: []byte("0123456789abcdef0123456789abcdef"), Issuer: "atlas", TTL: time.Hour, NowFunc: now})
	require.NoError(t, err)
	return ti
}

func TestTokenIssuer_RoundTripAndExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ti := issuer(t, clock)
	id, sid := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	tok, err := ti.Issue(id, sid)
	require.NoError(t, err)
	require.Equal(t, time.Hour, tok.ExpiresIn)
	got, err := ti.Verify(tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, account.Claims{UserID: id, SessionID: sid}, got)

	later := issuer(t, func() time.Time { return now.Add(time.Hour + time.Second) })
	_, err = later.Verify(tok.AccessToken)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated)
}

func TestNewTokenIssuer_RejectsWeakSettings(t *testing.T) {
	t.Parallel()
	_, err := account.NewTokenIssuer(account.TokenParams{Secret: []byte("short"), Issuer: "atlas", TTL: time.Hour})
	require.Error(t, err)
	_, err = account.NewTokenIssuer(account.TokenParams{Secret: make([]byte, 32), TTL: time.Hour})
	require.Error(t, err)
	_, err = account.NewTokenIssuer(account.TokenParams{Secret: make([]byte, 32), Issuer: "atlas"})
	require.Error(t, err)
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	got, err := account.NormalizeEmail("  ada@example.com ")
	require.NoError(t, err)
	require.Equal(t, "ada@example.com", got)
	for _, bad := range []string{"", "ada", "Ada <ada@example.com>", "@example.com", "ada@", "Ó¦ÅÝ{þ@\u008a", "ada@exa\u0085mple.com", "ädä@example.com"} {
		_, err := account.NormalizeEmail(bad)
		require.ErrorIs(t, err, atlas.ErrInvalid, bad)
	}
}
