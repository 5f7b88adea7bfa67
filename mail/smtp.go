package mail

import (
	"context"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one message. SMTPSender is the one Atlas uses; the
// interface lets the worker be built without a server in reach.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// TLS modes of an SMTP connection.
const (
	TLSStartTLS = "starttls" // STARTTLS required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain text: loopback or a private network only
)

// DefaultSMTPTimeout bounds connecting to the server and each command.
const DefaultSMTPTimeout = 15 * time.Second

// SMTPParams configure an SMTPSender.
type SMTPParams struct {
	Host string
	Port int
	// Username and Password, when set, authenticate (PLAIN, or LOGIN where
	// the server prefers it) once the connection is secured.
	Username, Password string
	// TLS is TLSStartTLS, TLSImplicit or TLSNone.
	TLS     string
	From    Address
	Timeout time.Duration
}

// SMTPSender sends each message over a new SMTP connection.
type SMTPSender struct {
	p    SMTPParams
	opts []gomail.Option
}

// NewSMTPSender returns a sender for p.
func NewSMTPSender(p SMTPParams) (*SMTPSender, error) {
	if p.Host == "" || p.From.Email == "" {
		return nil, fmt.Errorf("smtp: host and sender are required")
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultSMTPTimeout
	}
	opts := []gomail.Option{gomail.WithPort(p.Port), gomail.WithTimeout(p.Timeout)}
	switch p.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: TLS must be %s, %s or %s, got %q", TLSStartTLS, TLSImplicit, TLSNone, p.TLS)
	}
	if p.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(p.Username), gomail.WithPassword(p.Password))
	}
	return &SMTPSender{p: p, opts: opts}, nil
}

// Send delivers m: a multipart/alternative message with the plain text and
// the HTML version.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.p.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send email through %s:%d: %w", s.p.Host, s.p.Port, err)
	}
	return nil
}

// build turns m into a go-mail message. Display names and the subject are
// made header-safe first (headerSafe); go-mail then encodes them.
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(headerSafe(s.p.From.Name), s.p.From.Email); err != nil {
		return nil, fmt.Errorf("email sender: %w", err)
	}
	if err := msg.AddToFormat(headerSafe(m.To.Name), m.To.Email); err != nil {
		return nil, fmt.Errorf("email recipient: %w", err)
	}
	msg.Subject(headerSafe(m.Subject))
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}
