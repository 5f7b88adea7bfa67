package account_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/testfactory"
)

var verifyLink = regexp.MustCompile(`http://atlas\.test/verify-email#token=([A-Za-z0-9_-]+)`)

// mails waits until exactly n messages to address have subject and
// returns them, newest first.
func (r *resetEnv) mails(t *testing.T, address, subject string, n int) []testfactory.ReceivedMail {
	t.Helper()
	var out []testfactory.ReceivedMail
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		out = r.mailpit.Find(c, address, subject)
		require.Len(c, out, n)
	}, 20*time.Second, 50*time.Millisecond)
	return out
}

// settled waits until every email job has finished.
func (r *resetEnv) settled(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		var pending int
		err := r.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state <> 'completed'`).Scan(&pending)
		return err == nil && pending == 0
	}, 20*time.Second, 50*time.Millisecond)
}

func TestVerifyEmail_RegistrationSendsALinkThatVerifiesTheAddressOnce(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t)
	p := account.Principal{UserID: u.ID, SessionID: u.SessionID}
	st, err := r.Accounts.EmailSettings(ctx, p)
	require.NoError(t, err)
	require.Equal(t, account.EmailSettings{Verified: false, SecurityNotices: true, Sending: true}, st)

	msg := r.mails(t, u.Email, "Confirm your email address", 1)[0]
	m := verifyLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, msg.Text)
	require.Contains(t, msg.HTML, m[0])

	require.NoError(t, r.Accounts.VerifyEmail(ctx, m[1]))
	st, err = r.Accounts.EmailSettings(ctx, p)
	require.NoError(t, err)
	require.True(t, st.Verified)
	require.ErrorIs(t, r.Accounts.VerifyEmail(ctx, m[1]), atlas.ErrInvalid, "a link works once")
	require.ErrorIs(t, r.Accounts.VerifyEmail(ctx, "made-up"), atlas.ErrInvalid)
	require.ErrorIs(t, r.Accounts.SendVerification(ctx, p), atlas.ErrConflict, "already verified")
}

func TestVerifyEmail_ResentLinkReplacesTheFirstAndExpiresAfterADay(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t)
	p := account.Principal{UserID: u.ID, SessionID: u.SessionID}
	first := verifyLink.FindStringSubmatch(r.mails(t, u.Email, "Confirm your email address", 1)[0].Text)[1]
	require.NoError(t, r.Accounts.SendVerification(ctx, p))
	second := verifyLink.FindStringSubmatch(r.mails(t, u.Email, "Confirm your email address", 2)[0].Text)[1]
	require.ErrorIs(t, r.Accounts.VerifyEmail(ctx, first), atlas.ErrInvalid, "only the newest link works")
	r.advance(account.VerifyLinkTTL + time.Minute)
	require.ErrorIs(t, r.Accounts.VerifyEmail(ctx, second), atlas.ErrInvalid, "expired")
}

func TestSecurityNotices_SentForNewDevicesTokensAndPasswordsUnlessTurnedOff(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t) // signed in once, from "testfactory": a first device is no news
	p := account.Principal{UserID: u.ID, SessionID: u.SessionID}

	_, _, err := r.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{UserAgent: "Firefox on a new laptop", IP: "203.0.113.7"})
	require.NoError(t, err)
	msg := r.mails(t, u.Email, "new device", 1)[0]
	require.Contains(t, msg.Text, "Firefox on a new laptop, from 203.0.113.7")
	_, _, err = r.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{UserAgent: "Firefox on a new laptop"})
	require.NoError(t, err)

	name := "backup script " + uuid.NewString()[:6]
	_, _, err = r.Accounts.CreateToken(ctx, p, account.CreateTokenParams{Name: name, Scope: account.ScopeRead})
	require.NoError(t, err)
	require.Contains(t, r.mails(t, u.Email, "new API token", 1)[0].Text, name)

	st, err := r.Accounts.SetSecurityNotices(ctx, p, false)
	require.NoError(t, err)
	require.False(t, st.SecurityNotices)
	require.NoError(t, r.Accounts.ChangePassword(ctx, p, account.ChangePasswordParams{Current: testfactory.Password, New: "a brand new password"}))
	r.settled(t)
	require.Empty(t, r.mailpit.Find(t, u.Email, "password was changed"), "turned off")
	require.Len(t, r.mailpit.Find(t, u.Email, "new device"), 1, "a known device is no news")
}
