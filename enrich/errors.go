package enrich

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atlasapp/atlas/retry"
)

// Sentinel errors, checked with errors.Is. All of them are permanent: the
// Fetch error that wraps them also satisfies retry.IsPermanent.
var (
	// ErrBlockedAddress means the URL's host is, or resolves to, or redirects
	// to an address a fetch may never connect to (loopback, private,
	// link-local, metadata service, ...). Nothing was sent to it.
	ErrBlockedAddress = errors.New("enrich: blocked address")
	// ErrUnsupportedScheme means the URL, or a redirect, is not http or https.
	ErrUnsupportedScheme = errors.New("enrich: unsupported URL scheme")
	// ErrTooManyRedirects means the redirect chain is longer than
	// FetcherOpts.MaxRedirects.
	ErrTooManyRedirects = errors.New("enrich: too many redirects")
	// ErrInvalidURL means the URL, or a redirect, cannot be fetched as
	// written: unparsable, relative, without host, with userinfo, too long.
	ErrInvalidURL = errors.New("enrich: invalid URL")
)

// StatusError is returned by Fetch when the final response has a non-2xx
// status. It is marked retry.Permanent when the status is permanent.
type StatusError struct {
	// StatusCode is the HTTP status of the final response.
	StatusCode int
	// URL is the URL that answered with StatusCode, after redirects.
	URL string
	// RetryAfter is the delay the server asked for with a Retry-After header
	// (typically on 429 and 503), or zero.
	RetryAfter time.Duration
}

// Error describes the response.
func (e *StatusError) Error() string {
	return fmt.Sprintf("enrich: %s answered %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// permanentStatus reports whether retrying a response with this status is
// pointless.
func permanentStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	// 3xx reaching here are redirects that cannot be followed (no Location,
	// 304, 300): the server will not change its mind on a retry either.
	return code >= 300 && code < 500
}

// newStatusError builds the classified error for a non-2xx response.
func newStatusError(resp *http.Response, now time.Time) error {
	se := &StatusError{
		StatusCode: resp.StatusCode,
		URL:        resp.Request.URL.String(),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
	if permanentStatus(resp.StatusCode) {
		return retry.Permanent(se)
	}
	return se
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(7*24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// classify marks err retry.Permanent when retrying cannot help. A name
// that does not resolve is not permanent: DNS failures are often passing
// (a resolver outage, a domain being moved).
func classify(err error) error {
	if err == nil || retry.IsPermanent(err) {
		return err
	}
	if errors.Is(err, ErrBlockedAddress) || errors.Is(err, ErrUnsupportedScheme) ||
		errors.Is(err, ErrTooManyRedirects) || errors.Is(err, ErrInvalidURL) {
		return retry.Permanent(err)
	}
	var (
		certErr      *tls.CertificateVerificationError
		hostErr      x509.HostnameError
		authorityErr x509.UnknownAuthorityError
		invalidErr   x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &hostErr) ||
		errors.As(err, &authorityErr) || errors.As(err, &invalidErr) {
		return retry.Permanent(err)
	}
	return err
}
