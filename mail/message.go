package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"unicode"
)

// Address is a mailbox: an address and an optional display name.
type Address struct {
	Name  string
	Email string
}

// Message is one rendered email to one recipient.
type Message struct {
	To      Address
	Subject string
	Text    string
	HTML    string
}

//go:embed templates
var templateFS embed.FS

// Templates are the emails Atlas sends: each is templates/<name>.txt (a
// text/template defining "subject" and "text") and templates/<name>.html
// (an html/template defining "html").
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// Template names.
const (
	TemplatePasswordReset  = "password_reset"
	TemplateInvitation     = "invitation"
	TemplateVerifyEmail    = "verify_email"
	TemplateSecurityNotice = "security_notice"
	// TemplateWebhookDisabled tells a webhook's owner that Atlas disabled
	// it (the receiver answered 410 Gone, or failed for a day).
	TemplateWebhookDisabled = "webhook_disabled"
)

var templateNames = []string{TemplatePasswordReset, TemplateInvitation, TemplateVerifyEmail, TemplateSecurityNotice, TemplateWebhookDisabled}

// LoadTemplates parses the embedded templates.
func LoadTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, name := range templateNames {
		txt, err := texttemplate.New(name).Option("missingkey=error").ParseFS(templateFS, "templates/"+name+".txt")
		if err != nil {
			return nil, fmt.Errorf("template %s.txt: %w", name, err)
		}
		html, err := htmltemplate.New(name).Option("missingkey=error").ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s.html: %w", name, err)
		}
		t.text[name], t.html[name] = txt, html
	}
	return t, nil
}

// Render fills template name with data into a message to to.
func (t *Templates) Render(name string, to Address, data map[string]any) (Message, error) {
	txt, ok := t.text[name]
	if !ok {
		return Message{}, fmt.Errorf("no email template %q", name)
	}
	var subject, text, html bytes.Buffer
	if err := txt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, fmt.Errorf("render %s subject: %w", name, err)
	}
	if err := txt.ExecuteTemplate(&text, "text", data); err != nil {
		return Message{}, fmt.Errorf("render %s text: %w", name, err)
	}
	if err := t.html[name].ExecuteTemplate(&html, "html", data); err != nil {
		return Message{}, fmt.Errorf("render %s html: %w", name, err)
	}
	return Message{To: to, Subject: headerSafe(subject.String()), Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// headerSafe makes s fit for one header value: every control character
// (CR and LF above all, which would start a new header) becomes a space,
// and the result is trimmed.
func headerSafe(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}
