package account_test

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/testfactory"
)

// resetEnv is a database with email on, sending to the real Mailpit, the
// SEND_EMAIL worker running, and a clock the test can move.
type resetEnv struct {
	*testfactory.Env
	mailpit testfactory.Mailpit
	mu      sync.Mutex
	offset  time.Duration
}

func (r *resetEnv) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Add(r.offset)
}

func (r *resetEnv) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.offset += d
}

func setupReset(t *testing.T) *resetEnv {
	t.Helper()
	r := &resetEnv{mailpit: testfactory.NewMailpit(t)}
	r.Env = testfactory.New(t, testfactory.Opts{Configure: func(c *config.Config) { r.mailpit.Configure(c) }, NowFunc: r.now})
	r.StartMailWorker(t)
	return r
}

var resetLink = regexp.MustCompile(`http://atlas\.test/reset-password#token=([A-Za-z0-9_-]+)`)

// resetTokens waits for n reset emails to address and returns their
// tokens, newest first.
func (r *resetEnv) resetTokens(t *testing.T, address string, n int) []string {
	t.Helper()
	var tokens []string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := r.mailpit.Find(c, address, "Reset your Atlas password")
		require.Len(c, msgs, n)
		tokens = tokens[:0]
		for _, m := range msgs {
			require.Equal(c, "Reset your Atlas password", m.Subject)
			text, html := resetLink.FindStringSubmatch(m.Text), resetLink.FindStringSubmatch(m.HTML)
			require.NotNil(c, text, "plain text has the link: %s", m.Text)
			require.NotNil(c, html, "HTML has the link: %s", m.HTML)
			require.Equal(c, text[1], html[1])
			tokens = append(tokens, text[1])
		}
	}, 20*time.Second, 50*time.Millisecond)
	return tokens
}

func TestPasswordReset_TheEmailedLinkSetsThePasswordOnceAndEndsEverySession(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t)
	second, _, err := r.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{UserAgent: "second"})
	require.NoError(t, err)

	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, u.Email))
	token := r.resetTokens(t, u.Email, 1)[0]
	msg := r.mailpit.Find(t, u.Email, "Reset your Atlas password")[0]
	require.Equal(t, "atlas@example.com", msg.From.Address)
	require.Equal(t, []testfactory.MailAddress{{Name: "Test User", Address: u.Email}}, msg.To)

	const newPassword = "a brand new password"
	require.NoError(t, r.Accounts.ConfirmPasswordReset(ctx, token, newPassword))

	for _, access := range []string{u.Token, second.Access.AccessToken} {
		_, err := r.Accounts.Authenticate(ctx, access)
		require.ErrorIs(t, err, atlas.ErrUnauthenticated, "every session ended")
	}
	_, _, err = r.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{})
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the old password is gone")
	_, _, err = r.Accounts.Login(ctx, u.Email, newPassword, account.Client{})
	require.NoError(t, err)

	err = r.Accounts.ConfirmPasswordReset(ctx, token, "yet another password")
	require.ErrorIs(t, err, atlas.ErrInvalid, "a link works once")
	_, _, err = r.Accounts.Login(ctx, u.Email, newPassword, account.Client{})
	require.NoError(t, err, "the reused link changed nothing")

	evs := r.Outbox(t, testfactory.OutboxFilter{EntityID: &u.ID})
	var changed, revoked map[string]any
	for _, e := range evs {
		var data map[string]any
		_ = json.Unmarshal(e.Envelope.Data, &data)
		switch e.Envelope.Type {
		case events.PasswordChanged:
			changed = data
		case events.SessionRevoked:
			revoked = data
		}
	}
	require.Equal(t, "reset_link", changed["via"])
	require.Equal(t, account.RevokedByPasswordReset, revoked["reason"])
	require.Len(t, revoked["session_ids"], 2)
}

func TestPasswordReset_ExpiresAfterAnHour(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t)
	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, u.Email))
	token := r.resetTokens(t, u.Email, 1)[0]

	r.advance(account.ResetLinkTTL + time.Minute)
	err := r.Accounts.ConfirmPasswordReset(ctx, token, "a brand new password")
	require.ErrorIs(t, err, atlas.ErrInvalid)
	_, _, err = r.Accounts.Login(ctx, u.Email, testfactory.Password, account.Client{})
	require.NoError(t, err, "the password is unchanged")
}

func TestPasswordReset_OnlyTheNewestLinkWorks(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	u := r.NewUser(t)
	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, u.Email))
	first := r.resetTokens(t, u.Email, 1)[0]
	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, u.Email))
	newest := r.resetTokens(t, u.Email, 2)[0]
	require.NotEqual(t, first, newest)

	require.ErrorIs(t, r.Accounts.ConfirmPasswordReset(ctx, first, "a brand new password"), atlas.ErrInvalid)
	require.NoError(t, r.Accounts.ConfirmPasswordReset(ctx, newest, "a brand new password"))
}

func TestPasswordReset_UnknownAddressAnswersTheSameAndSendsNothing(t *testing.T) {
	t.Parallel()
	r := setupReset(t)
	ctx := context.Background()
	known := r.NewUser(t)
	unknown := "nobody-" + known.ID.String()[:8] + "@example.com"

	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, unknown))
	require.NoError(t, r.Accounts.RequestPasswordReset(ctx, known.Email))
	r.resetTokens(t, known.Email, 1)
	// Both jobs were worked (in order of insertion, by one worker): the
	// unknown address's completed without a message.
	require.Eventually(t, func() bool {
		var pending int
		err := r.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state <> 'completed'`).Scan(&pending)
		return err == nil && pending == 0
	}, 20*time.Second, 50*time.Millisecond)
	require.Empty(t, r.mailpit.To(t, unknown))

	require.ErrorIs(t, r.Accounts.RequestPasswordReset(ctx, "not an address"), atlas.ErrInvalid)
	require.ErrorIs(t, r.Accounts.ConfirmPasswordReset(ctx, "", "a brand new password"), atlas.ErrInvalid)
	require.ErrorIs(t, r.Accounts.ConfirmPasswordReset(ctx, "made-up", "a brand new password"), atlas.ErrInvalid)
}

func TestPasswordReset_RequestDoesTheSameWorkWhetherOrNotTheAddressHasAnAccount(t *testing.T) {
	t.Parallel()
	ticks := &counter{}
	mp := testfactory.NewMailpit(t)
	env := testfactory.New(t, testfactory.Opts{Tracer: ticks, Configure: mp.Configure}) // no worker: only the request's work counts
	ctx := context.Background()
	known := env.NewUser(t)

	statements := func(email string) int64 {
		before := ticks.n.Load()
		require.NoError(t, env.Accounts.RequestPasswordReset(ctx, email))
		return ticks.n.Load() - before
	}
	// The fewest of a few tries: a connection prepares a statement the first
	// time it runs it.
	forKnown, forUnknown := int64(1<<62), int64(1<<62)
	for range 3 {
		forKnown = min(forKnown, statements(known.Email))
		forUnknown = min(forUnknown, statements("nobody-"+known.ID.String()[:8]+"@example.com"))
	}
	require.Positive(t, forKnown, "the request enqueues the email")
	require.Equal(t, forKnown, forUnknown, "the same statements either way: the answer's timing tells nothing")
}
