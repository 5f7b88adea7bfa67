package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/testfactory"
)

func sender(t *testing.T, mp testfactory.Mailpit, from mail.Address) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(mail.SMTPParams{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: mail.TLSNone, From: from})
	require.NoError(t, err)
	return s
}

func TestSend_DisplayNamesAndSubjectCannotAddHeadersOrRecipients(t *testing.T) {
	t.Parallel()
	mp := testfactory.NewMailpit(t)
	id := uuid.NewString()[:8]
	to, victim := "to-"+id+"@example.com", "victim-"+id+"@example.com"
	s := sender(t, mp, mail.Address{Name: "Atlas\r\nBcc: " + victim, Email: "atlas@example.com"})
	templates, err := mail.LoadTemplates()
	require.NoError(t, err)
	name := "Eve\r\nBcc: " + victim + "\r\nX-Injected: yes\n\nbody"
	msg, err := templates.Render(mail.TemplatePasswordReset, mail.Address{Name: name, Email: to},
		map[string]any{"PublicURL": "http://atlas.test", "Name": name, "Email": to, "Token": "t0ken"})
	require.NoError(t, err)
	msg.Subject = "Hello\r\nBcc: " + victim
	require.NoError(t, s.Send(context.Background(), msg))

	var got testfactory.ReceivedMail
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		msgs := mp.To(c, to)
		require.Len(c, msgs, 1)
		got = msgs[0]
	}, 10*time.Second, 50*time.Millisecond)
	require.Len(t, got.To, 1)
	require.Equal(t, to, got.To[0].Address)
	require.NotContains(t, got.To[0].Name, "\n")
	require.Contains(t, got.To[0].Name, "Eve")
	require.Empty(t, got.Bcc)
	require.Empty(t, got.Cc)
	require.Equal(t, "atlas@example.com", got.From.Address)
	require.NotContains(t, got.Subject, "\n")
	h := mp.Headers(t, got.ID)
	for k := range h {
		require.NotEqual(t, "bcc", strings.ToLower(k), "no Bcc header")
		require.NotEqual(t, "x-injected", strings.ToLower(k), "no injected header")
	}
	require.Empty(t, mp.To(t, victim), "nothing reached the injected address")
}

func TestRender_HTMLEscapesWhatItInserts(t *testing.T) {
	t.Parallel()
	templates, err := mail.LoadTemplates()
	require.NoError(t, err)
	msg, err := templates.Render(mail.TemplatePasswordReset, mail.Address{Email: "a@example.com"},
		map[string]any{"PublicURL": "http://atlas.test", "Name": `<script>alert(1)</script>`, "Email": "a@example.com", "Token": "abc"})
	require.NoError(t, err)
	require.NotContains(t, msg.HTML, "<script>")
	require.Contains(t, msg.HTML, "&lt;script&gt;")
	require.Contains(t, msg.Text, "http://atlas.test/reset-password#token=abc")
	require.Equal(t, "Reset your Atlas password", msg.Subject)

	_, err = templates.Render(mail.TemplatePasswordReset, mail.Address{Email: "a@example.com"}, map[string]any{"Name": "x"})
	require.Error(t, err, "a missing value is an error, not an empty link")
	_, err = templates.Render("no-such-template", mail.Address{}, nil)
	require.Error(t, err)
}
