package testfactory

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/mail"
)

// Mailpit is the real SMTP server the email tests send to (scripts/mailpit,
// which scripts/test starts), read through its HTTP API.
type Mailpit struct {
	// SMTPHost and SMTPPort are where it accepts mail.
	SMTPHost string
	SMTPPort int
	// URL is its web page and API.
	URL string
}

// NewMailpit returns the Mailpit named by ATLAS_TEST_MAILPIT_SMTP and
// ATLAS_TEST_MAILPIT_URL (`scripts/mailpit env`), failing the test when
// they are unset: email is tested against the real server, never skipped.
func NewMailpit(t testing.TB) Mailpit {
	t.Helper()
	smtp, web := os.Getenv("ATLAS_TEST_MAILPIT_SMTP"), os.Getenv("ATLAS_TEST_MAILPIT_URL")
	require.True(t, smtp != "" && web != "",
		"ATLAS_TEST_MAILPIT_SMTP and ATLAS_TEST_MAILPIT_URL are unset: run scripts/mailpit start and export what scripts/mailpit env prints (scripts/test does)")
	host, port, err := net.SplitHostPort(smtp)
	require.NoError(t, err)
	n, err := strconv.Atoi(port)
	require.NoError(t, err)
	return Mailpit{SMTPHost: host, SMTPPort: n, URL: web}
}

// Configure turns email on in cfg, sending to this Mailpit.
func (m Mailpit) Configure(cfg *config.Config) {
	cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPTLS = m.SMTPHost, m.SMTPPort, config.SMTPTLSNone
	cfg.SMTPFrom, cfg.PublicURL = "Atlas <atlas@example.com>", "http://atlas.test"
}

// MailAddress is a mailbox as Mailpit reports it.
type MailAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// ReceivedMail is one message Mailpit received.
type ReceivedMail struct {
	ID      string        `json:"ID"`
	From    MailAddress   `json:"From"`
	To      []MailAddress `json:"To"`
	Cc      []MailAddress `json:"Cc"`
	Bcc     []MailAddress `json:"Bcc"`
	Subject string        `json:"Subject"`
	Text    string        `json:"Text"`
	HTML    string        `json:"HTML"`
}

// To returns the messages received for address (a recipient in To, Cc or
// Bcc; Mailpit's search also matches display names), newest first.
func (m Mailpit) To(t T, address string) []ReceivedMail {
	t.Helper()
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	m.get(t, "/api/v1/search?query="+url.QueryEscape(fmt.Sprintf("to:%q", address)), &list)
	out := make([]ReceivedMail, 0, len(list.Messages))
	for _, s := range list.Messages {
		var msg ReceivedMail
		m.get(t, "/api/v1/message/"+url.PathEscape(s.ID), &msg)
		if msg.sentTo(address) {
			out = append(out, msg)
		}
	}
	return out
}

func (r ReceivedMail) sentTo(address string) bool {
	for _, list := range [][]MailAddress{r.To, r.Cc, r.Bcc} {
		for _, a := range list {
			if strings.EqualFold(a.Address, address) {
				return true
			}
		}
	}
	return false
}

// Find returns the messages received for address whose subject contains
// subject, newest first.
func (m Mailpit) Find(t T, address, subject string) []ReceivedMail {
	t.Helper()
	var out []ReceivedMail
	for _, msg := range m.To(t, address) {
		if strings.Contains(msg.Subject, subject) {
			out = append(out, msg)
		}
	}
	return out
}

// Headers returns the raw headers of a received message.
func (m Mailpit) Headers(t T, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	m.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

func (m Mailpit) get(t T, path string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+path, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "mailpit GET %s", path)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}

// StartMailWorker runs the SEND_EMAIL worker of e's configuration (email
// on) in a River worker client until the test ends, polling often.
func (e *Env) StartMailWorker(t testing.TB, opts ...func(*mail.WorkerParams)) *river.Client[pgx.Tx] {
	t.Helper()
	w, err := params.MailWorker(e.Config, e.Pool, nil, opts...)
	require.NoError(t, err)
	c, err := jobs.NewWorkerClient(jobs.WorkerParams{Pool: e.Pool, Register: w.Register, PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, c.Stop(ctx))
	})
	return c
}
