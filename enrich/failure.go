package enrich

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/atlasapp/atlas/retry"
)

// FailureKind says why a fetch failed, in terms a person can act on.
type FailureKind string

// The kinds of fetch failure.
const (
	// FailureDNS: the host name could not be resolved (often passing).
	FailureDNS FailureKind = "dns"
	// FailureTimeout: the site did not answer in time.
	FailureTimeout FailureKind = "timeout"
	// FailureStatus: the site answered with a non-2xx status.
	FailureStatus FailureKind = "status"
	// FailureBlocked: the address is one a fetch may never reach
	// (private network, loopback, metadata service, ...).
	FailureBlocked FailureKind = "blocked"
	// FailureScheme: the link, or a redirect, is not http or https.
	FailureScheme FailureKind = "scheme"
	// FailureRedirects: the redirect chain was too long.
	FailureRedirects FailureKind = "redirects"
	// FailureInvalidURL: the link cannot be fetched as written.
	FailureInvalidURL FailureKind = "invalid_url"
	// FailureTLS: the site's certificate could not be verified.
	FailureTLS FailureKind = "tls"
	// FailureConnection: the connection was refused or broke.
	FailureConnection FailureKind = "connection"
	// FailureOther: anything else.
	FailureOther FailureKind = "other"
)

// Failure is a fetch error described for people: its kind and the facts a
// sentence needs. It is stored with a job (as JSON) so that the reason can be
// told later without parsing error strings.
type Failure struct {
	Kind FailureKind `json:"kind"`
	// Host is the host that failed (the DNS name asked for, the host that
	// answered with a bad status, or the link's host).
	Host string `json:"host,omitempty"`
	// StatusCode is the HTTP status for FailureStatus.
	StatusCode int `json:"status_code,omitempty"`
	// TimeoutSeconds is the limit that ran out for FailureTimeout.
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
	// Permanent reports whether retrying cannot help.
	Permanent bool `json:"permanent"`
}

// Describe explains an error returned by Fetch for rawURL.
func (f *Fetcher) Describe(rawURL string, err error) Failure {
	out := Failure{Kind: FailureOther, Permanent: retry.IsPermanent(err)}
	if u, pErr := url.Parse(rawURL); pErr == nil {
		out.Host = u.Hostname()
	}
	var (
		dnsErr  *net.DNSError
		se      *StatusError
		opErr   *net.OpError
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		hostErr x509.HostnameError
		authErr x509.UnknownAuthorityError
		invErr  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, ErrBlockedAddress):
		out.Kind = FailureBlocked
	case errors.Is(err, ErrUnsupportedScheme):
		out.Kind = FailureScheme
	case errors.Is(err, ErrTooManyRedirects):
		out.Kind = FailureRedirects
	case errors.Is(err, ErrInvalidURL):
		out.Kind = FailureInvalidURL
	case errors.As(err, &se):
		out.Kind, out.StatusCode = FailureStatus, se.StatusCode
		if u, pErr := url.Parse(se.URL); pErr == nil {
			out.Host = u.Hostname()
		}
	case errors.As(err, &dnsErr):
		out.Kind = FailureDNS
		if dnsErr.Name != "" {
			out.Host = dnsErr.Name
		}
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invErr):
		out.Kind = FailureTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		out.Kind = FailureTimeout
		limit := f.opts.TotalTimeout
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			limit = f.opts.ConnectTimeout
		}
		out.TimeoutSeconds = limit.Seconds()
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.As(err, &opErr):
		out.Kind = FailureConnection
	}
	return out
}

// Reason is the failure as one sentence for people, for example
// "Couldn't find the server notes.example.com (DNS)" or "The site answered 404".
func (f Failure) Reason() string {
	switch f.Kind {
	case FailureDNS:
		return fmt.Sprintf("Couldn't find the server %s (DNS)", f.Host)
	case FailureTimeout:
		return "Timed out after " + seconds(f.TimeoutSeconds)
	case FailureStatus:
		return fmt.Sprintf("The site answered %d", f.StatusCode)
	case FailureBlocked:
		return "Blocked: the address is on a private network"
	case FailureScheme:
		return "Only http and https links can be fetched"
	case FailureRedirects:
		return "The site redirected too many times"
	case FailureInvalidURL:
		return "The link is not a valid web address"
	case FailureTLS:
		return fmt.Sprintf("The certificate of %s could not be verified", f.Host)
	case FailureConnection:
		return fmt.Sprintf("Couldn't connect to %s", f.Host)
	}
	return "Couldn't fetch the page"
}

// seconds formats a limit as "10 s" or "0.3 s".
func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond)
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}
