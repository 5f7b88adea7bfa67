package search

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
)

// trustingTransport returns base (default http.DefaultTransport) trusting only the PEM
// certificate authorities in caPEM; with no caPEM, base as it is.
func trustingTransport(base http.RoundTripper, caPEM []byte) (http.RoundTripper, error) {
	if len(caPEM) == 0 {
		return base, nil
	}
	if base == nil {
		base = http.DefaultTransport
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("a CA certificate needs an *http.Transport, got %T", base)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the CA file holds no PEM certificate")
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t.TLSClientConfig.RootCAs = roots
	return t, nil
}

// ErrMisconfigured marks connection failures that retrying cannot fix: Elasticsearch refused the
// credentials or lacks a privilege for them, its certificate is not trusted, or it does not speak
// TLS where the URL says https. An operator has to change the configuration.
var ErrMisconfigured = errors.New("elasticsearch connection misconfigured")

// misconfigured is an error of ErrMisconfigured's kind: what it means, then the cause.
type misconfigured struct {
	meaning string
	err     error
}

func (e *misconfigured) Error() string   { return e.meaning + ": " + e.err.Error() }
func (e *misconfigured) Unwrap() []error { return []error{ErrMisconfigured, e.err} }

// explain turns the errors an operator meets when connecting to a secured cluster for the first
// time into ErrMisconfigured errors that say what they mean; others pass as they are.
func explain(err error) error {
	var (
		re        *ResponseError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &re) && re.Status == http.StatusUnauthorized:
		return &misconfigured{"elasticsearch refused the credentials (wrong username/password or API key)", err}
	case errors.As(err, &re) && re.Status == http.StatusForbidden:
		return &misconfigured{"the elasticsearch credentials lack a privilege Atlas needs", err}
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return &misconfigured{"the elasticsearch server's TLS certificate is not trusted (wrong CA file or host name?)", err}
	case errors.As(err, &record):
		return &misconfigured{"elasticsearch does not answer TLS on this address (an https:// URL for a plain-http node?)", err}
	}
	return err
}
