package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// SMTP TLS modes (ATLAS_SMTP_TLS).
const (
	// SMTPTLSStartTLS upgrades the connection with STARTTLS and refuses a
	// server that does not offer it (port 587).
	SMTPTLSStartTLS = "starttls"
	// SMTPTLSImplicit speaks TLS from the first byte (port 465).
	SMTPTLSImplicit = "tls"
	// SMTPTLSNone sends in plain text: only for a server on loopback or a
	// private network (Mailpit in development and tests).
	SMTPTLSNone = "none"
)

// SMTP is how Atlas sends email (invitations, password reset, address
// verification, security notices). Email is off while SMTPHost is empty:
// password reset still answers the same, invitations are refused with a
// problem that says email is off.
type SMTP struct {
	SMTPHost     string `env:"ATLAS_SMTP_HOST" json:"smtp_host"`
	SMTPPort     int    `env:"ATLAS_SMTP_PORT" envDefault:"587" json:"smtp_port"`
	SMTPUsername string `env:"ATLAS_SMTP_USERNAME" json:"smtp_username"`
	SMTPPassword Secret `env:"ATLAS_SMTP_PASSWORD" json:"smtp_password"`
	// SMTPFrom is the sender, an address with an optional display name
	// ("Atlas <atlas@example.com>"); required when SMTPHost is set.
	SMTPFrom string `env:"ATLAS_SMTP_FROM" json:"smtp_from"`
	SMTPTLS  string `env:"ATLAS_SMTP_TLS" envDefault:"starttls" json:"smtp_tls"`
	// PublicURL is where people reach the dashboard (scheme://host[:port]
	// [/path]): the base of the links in emails. Required with SMTPHost in
	// production; in development it defaults to http://<ATLAS_HTTP_ADDR>.
	PublicURL string `env:"ATLAS_PUBLIC_URL" json:"public_url"`
}

// EmailOn reports whether Atlas sends email.
func (c SMTP) EmailOn() bool { return c.SMTPHost != "" }

// validateSMTP checks the email settings and normalises the public URL
// (no trailing slash).
func (c *SMTP) validateSMTP() error {
	c.SMTPHost = strings.TrimSpace(c.SMTPHost)
	c.PublicURL = strings.TrimRight(strings.TrimSpace(c.PublicURL), "/")
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("ATLAS_PUBLIC_URL: must be an http(s) URL such as https://atlas.example.com, got %q", c.PublicURL)
		}
	}
	if !c.EmailOn() {
		return nil
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return fmt.Errorf("ATLAS_SMTP_PORT: must be between 1 and 65535, got %d", c.SMTPPort)
	}
	switch c.SMTPTLS {
	case SMTPTLSStartTLS, SMTPTLSImplicit, SMTPTLSNone:
	default:
		return fmt.Errorf("ATLAS_SMTP_TLS: must be %s, %s or %s, got %q", SMTPTLSStartTLS, SMTPTLSImplicit, SMTPTLSNone, c.SMTPTLS)
	}
	if c.SMTPPassword != "" && c.SMTPUsername == "" {
		return errors.New("ATLAS_SMTP_PASSWORD: needs ATLAS_SMTP_USERNAME")
	}
	if _, err := c.SMTPSender(); err != nil {
		return err
	}
	return nil
}

// defaultPublicURL fills in the public URL of a development server that
// sends email without one: its own HTTP address. Production must name it
// (behind a load balancer the server cannot know it).
func (c *Config) defaultPublicURL() error {
	if !c.EmailOn() || c.PublicURL != "" {
		return nil
	}
	if c.Env == EnvProduction {
		return errors.New("ATLAS_PUBLIC_URL: required when ATLAS_SMTP_HOST is set in production (the links in emails start with it)")
	}
	host, port, _ := net.SplitHostPort(c.HTTPAddr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	c.PublicURL = "http://" + net.JoinHostPort(host, port)
	return nil
}

// SMTPSender parses ATLAS_SMTP_FROM.
func (c SMTP) SMTPSender() (*mail.Address, error) {
	from, err := mail.ParseAddress(c.SMTPFrom)
	if err != nil || strings.ContainsAny(c.SMTPFrom, "\r\n") {
		return nil, fmt.Errorf("ATLAS_SMTP_FROM: must be an address such as \"Atlas <atlas@example.com>\", got %q", c.SMTPFrom)
	}
	return from, nil
}
