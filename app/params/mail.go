package params

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/webhook"
)

// SMTP returns the SMTP sender's settings; ok is false when email is off
// (ATLAS_SMTP_HOST unset).
func SMTP(c config.Config) (p mail.SMTPParams, ok bool) {
	if !c.EmailOn() {
		return mail.SMTPParams{}, false
	}
	from, _ := c.SMTPSender() // validated by config.LoadFrom
	return mail.SMTPParams{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername, Password: c.SMTPPassword.Value(),
		TLS: c.SMTPTLS, From: mail.Address{Name: from.Name, Email: from.Address}}, true
}

// MailWorker returns the SEND_EMAIL worker of the configuration, with every
// template's PrepareFunc reading from pool. Email must be on
// (config.SMTP.EmailOn). Tests tune the worker with opts (a shorter
// backoff).
func MailWorker(c config.Config, pool *pgxpool.Pool, now func() time.Time, opts ...func(*mail.WorkerParams)) (*mail.Worker, error) {
	smtp, ok := SMTP(c)
	if !ok {
		return nil, errors.New("email is off: ATLAS_SMTP_HOST is not set")
	}
	sender, err := mail.NewSMTPSender(smtp)
	if err != nil {
		return nil, err
	}
	templates, err := mail.LoadTemplates()
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	p := mail.WorkerParams{Sender: sender, Templates: templates, PublicURL: c.PublicURL,
		Prepare: map[string]mail.PrepareFunc{
			mail.TemplatePasswordReset:   account.PrepareResetEmail(pool, now),
			mail.TemplateInvitation:      collection.PrepareInvitationEmail(pool, now),
			mail.TemplateVerifyEmail:     account.PrepareVerifyEmail(pool, now),
			mail.TemplateSecurityNotice:  account.PrepareSecurityNotice(pool),
			mail.TemplateWebhookDisabled: webhook.PrepareDisabledEmail(pool),
		}}
	for _, o := range opts {
		o(&p)
	}
	return mail.NewWorker(p), nil
}
