package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/atlasapp/atlas/config"
)

// The email settings (smtp.go) join the tables of config_test.go here.
func init() {
	const from = "ATLAS_SMTP_FROM=Atlas <atlas@example.com>"
	variables = append(variables,
		variable{"ATLAS_SMTP_HOST", "smtp.example.com", func(t *testing.T, c config.Config) {
			assert.True(t, c.EmailOn())
			assert.Equal(t, "smtp.example.com", c.SMTPHost)
			assert.Equal(t, 587, c.SMTPPort)
			assert.Equal(t, config.SMTPTLSStartTLS, c.SMTPTLS)
			assert.Equal(t, "http://127.0.0.1:8080", c.PublicURL, "development defaults the links' base to its own address")
		}},
		variable{"ATLAS_SMTP_PORT", "465", func(t *testing.T, c config.Config) { assert.Equal(t, 465, c.SMTPPort) }},
		variable{"ATLAS_SMTP_USERNAME", "mailer", func(t *testing.T, c config.Config) { assert.Equal(t, "mailer", c.SMTPUsername) }},
		variable{"ATLAS_SMTP_PASSWORD", "smtp-password", func(t *testing.T, c config.Config) {
			assert.Equal(t, "smtp-password", c.SMTPPassword.Value())
		}},
		variable{"ATLAS_SMTP_FROM", "Atlas <atlas@example.com>", func(t *testing.T, c config.Config) {
			assert.Equal(t, "Atlas <atlas@example.com>", c.SMTPFrom)
			assert.False(t, c.EmailOn(), "no host: email stays off")
		}},
		variable{"ATLAS_SMTP_TLS", "tls", func(t *testing.T, c config.Config) { assert.Equal(t, config.SMTPTLSImplicit, c.SMTPTLS) }},
		variable{"ATLAS_PUBLIC_URL", "https://atlas.example.com/", func(t *testing.T, c config.Config) {
			assert.Equal(t, "https://atlas.example.com", c.PublicURL)
		}},
	)
	partners["ATLAS_SMTP_HOST"] = from
	partners["ATLAS_SMTP_PASSWORD"] = "ATLAS_SMTP_USERNAME=mailer"
	host := "ATLAS_SMTP_HOST=smtp.example.com"
	failures = append(failures,
		failure{[]string{host}, `ATLAS_SMTP_FROM: must be an address such as "Atlas <atlas@example.com>", got ""`},
		failure{[]string{host, "ATLAS_SMTP_FROM=Atlas <atlas@example.com>\r\nBcc: x@example.com"}, "ATLAS_SMTP_FROM: must be an address"},
		failure{[]string{host, from, "ATLAS_SMTP_TLS=ssl"}, `ATLAS_SMTP_TLS: must be starttls, tls or none, got "ssl"`},
		failure{[]string{host, from, "ATLAS_SMTP_PORT=0"}, "ATLAS_SMTP_PORT: must be between 1 and 65535, got 0"},
		failure{[]string{host, from, "ATLAS_SMTP_PASSWORD=pw"}, "ATLAS_SMTP_PASSWORD: needs ATLAS_SMTP_USERNAME"},
		failure{[]string{"ATLAS_PUBLIC_URL=ftp://atlas.example.com"}, "ATLAS_PUBLIC_URL: must be an http(s) URL"},
		failure{[]string{"ATLAS_ENV=production", prodSecret, "ATLAS_DATABASE_URL=postgres://a:pw@127.0.0.1:5432/atlas?sslmode=disable", host, from},
			"ATLAS_PUBLIC_URL: required when ATLAS_SMTP_HOST is set in production"},
	)
}
