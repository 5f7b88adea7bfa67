package api_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/retry"
	"github.com/atlasapp/atlas/testfactory"
)

const pathReset = "/api/v1/auth/password-reset"

func requestReset(t *testing.T, env *apitest.Env, email string, headers ...string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, pathReset, "", map[string]any{"email": email}, headers...)
}

var resetTokenInMail = regexp.MustCompile(`reset-password#token=([A-Za-z0-9_-]+)`)

// mailedResetToken waits for the reset email to address and returns its token.
func mailedResetToken(t *testing.T, mp testfactory.Mailpit, address string) string {
	t.Helper()
	var token string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.Find(c, address, "Reset your Atlas password")
		require.Len(c, msgs, 1)
		m := resetTokenInMail.FindStringSubmatch(msgs[0].Text)
		require.NotNil(c, m, "the email has the link: %s", msgs[0].Text)
		token = m[1]
	}, 20*time.Second, 50*time.Millisecond)
	return token
}

func TestPasswordReset_FromTheReceivedEmailThroughTheAPI(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	env := apitest.New(t, apitest.Opts{Configure: mp.Configure})
	env.StartMailWorker(t)
	u := env.NewUser(t)

	resp := requestReset(t, env, u.Email)
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	token := mailedResetToken(t, mp, u.Email)

	confirm := func(password string) apitest.Response {
		return env.Do(t, http.MethodPost, pathReset+"/confirm", "", map[string]any{"token": token, "new_password": password})
	}
	require.Equal(t, http.StatusNoContent, confirm("a brand new password").Status)
	require.Equal(t, http.StatusUnauthorized, env.Do(t, http.MethodGet, "/api/v1/auth/me", u.Token, nil).Status, "the session ended")
	require.Equal(t, http.StatusUnauthorized, login(t, env, u.Email, testfactory.Password).Status)
	require.Equal(t, http.StatusOK, login(t, env, u.Email, "a brand new password").Status)

	reused := confirm("another new password")
	require.Equal(t, http.StatusUnprocessableEntity, reused.Status, "a link works once: %s", reused.Body)
	require.Contains(t, string(reused.Body), "already used or expired")
	require.Equal(t, http.StatusUnprocessableEntity,
		env.Do(t, http.MethodPost, pathReset+"/confirm", "", map[string]any{"token": "made-up", "new_password": "short"}).Status)
}

func TestPasswordReset_SameAnswerWhetherOrNotTheAddressHasAnAccount(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	for name, configure := range map[string]func(*config.Config){"email on": mp.Configure, "email off": func(*config.Config) {}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, apitest.Opts{Configure: configure})
			u := env.NewUser(t)
			known, unknown := requestReset(t, env, u.Email), requestReset(t, env, "nobody-"+u.ID.String()[:8]+"@example.com")
			require.Equal(t, http.StatusAccepted, known.Status, "%s", known.Body)
			require.Equal(t, known.Status, unknown.Status)
			require.Equal(t, string(known.Body), string(unknown.Body))
			require.Equal(t, http.StatusUnprocessableEntity, requestReset(t, env, "not an address").Status)
		})
	}
}

func TestRateLimit_PasswordResetPerIPAndPerAddress(t *testing.T) {
	t.Parallel()
	env := limited(t, 2, 1000, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1/32"} })
	from := func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)} }

	// Per address: one mailbox from many client addresses.
	require.Equal(t, http.StatusAccepted, requestReset(t, env, "victim@example.com", from(1)...).Status)
	require.Equal(t, http.StatusAccepted, requestReset(t, env, " VICTIM@example.com", from(2)...).Status)
	requireTooMany(t, requestReset(t, env, "victim@example.com", from(3)...), "for this email address")

	// Per client address: many mailboxes from one client.
	require.Equal(t, http.StatusAccepted, requestReset(t, env, "a@example.com", from(9)...).Status)
	require.Equal(t, http.StatusAccepted, requestReset(t, env, "b@example.com", from(9)...).Status)
	requireTooMany(t, requestReset(t, env, "c@example.com", from(9)...), "from this address")

	confirm := map[string]any{"token": "made-up", "new_password": "a brand new password"}
	for range 2 {
		require.Equal(t, http.StatusUnprocessableEntity, env.Do(t, http.MethodPost, pathReset+"/confirm", "", confirm, from(20)...).Status)
	}
	requireTooMany(t, env.Do(t, http.MethodPost, pathReset+"/confirm", "", confirm, from(20)...), "from this address")
}

// forwarder accepts connections on addr and pipes each to target once
// started; until then nothing listens on addr (the SMTP server is down).
type forwarder struct {
	addr, target string
	ln           net.Listener
	wg           sync.WaitGroup
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func (f *forwarder) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", f.addr)
	require.NoError(t, err)
	f.ln = ln
	t.Cleanup(func() { _ = ln.Close(); f.wg.Wait() })
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", f.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			f.wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer f.wg.Done()
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
			}
			go pipe(in, out)
			go pipe(out, in)
		}
	}()
}

func TestPasswordReset_SMTPDownRetriesAndNeverFailsTheRequest(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	fw := &forwarder{addr: freeAddr(t), target: net.JoinHostPort(mp.SMTPHost, fmt.Sprint(mp.SMTPPort))}
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) {
		mp.Configure(c)
		host, port, _ := net.SplitHostPort(fw.addr)
		c.SMTPHost = host
		_, _ = fmt.Sscan(port, &c.SMTPPort)
	}})
	env.StartMailWorker(t, func(p *mail.WorkerParams) {
		p.Retry = retry.Backoff{Base: 200 * time.Millisecond, Max: 200 * time.Millisecond}
	})
	u := env.NewUser(t)

	resp := requestReset(t, env, u.Email)
	require.Equal(t, http.StatusAccepted, resp.Status, "the request does not wait for the mail: %s", resp.Body)

	ctx := context.Background()
	require.Eventually(t, func() bool {
		var attempts int
		err := env.Pool.QueryRow(ctx, `SELECT coalesce(max(attempt), 0) FROM river_job WHERE args->>'template' = 'password_reset' AND cardinality(errors) >= 2`).Scan(&attempts)
		return err == nil && attempts >= 2
	}, 20*time.Second, 50*time.Millisecond, "the send failed and was retried")
	require.Empty(t, mp.Find(t, u.Email, "Reset your Atlas password"))

	fw.start(t) // the server is back
	token := mailedResetToken(t, mp, u.Email)
	require.NotEmpty(t, token)
	var state string
	require.Eventually(t, func() bool {
		err := env.Pool.QueryRow(ctx, `SELECT state FROM river_job WHERE args->>'template' = 'password_reset'`).Scan(&state)
		return err == nil && state == "completed"
	}, 20*time.Second, 50*time.Millisecond)
}

func TestVerifyEmail_FromTheReceivedEmailThroughTheAPI(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	env := apitest.New(t, apitest.Opts{Configure: mp.Configure})
	env.StartMailWorker(t)
	u := env.NewUser(t)
	settings := func() map[string]any {
		resp := env.Do(t, http.MethodGet, "/api/v1/auth/email", u.Token, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)
	}
	require.Equal(t, map[string]any{"email_verified": false, "security_notices": true, "email_sending": true}, settings())

	var token string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.Find(c, u.Email, "Confirm your email address")
		require.Len(c, msgs, 1)
		m := regexp.MustCompile(`verify-email#token=([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
		require.NotNil(c, m)
		token = m[1]
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusNoContent, env.Do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, env.Do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token}).Status)
	require.Equal(t, true, settings()["email_verified"])
	require.Equal(t, http.StatusConflict, env.Do(t, http.MethodPost, "/api/v1/auth/email/verification", u.Token, nil).Status)

	resp := env.Do(t, http.MethodPatch, "/api/v1/auth/email", u.Token, map[string]any{"security_notices": false})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, false, settings()["security_notices"])
}
