package enrich

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/atlasapp/atlas/retry"
)

// Defaults applied by NewFetcher to zero-valued FetcherOpts fields.
const (
	// DefaultUserAgent identifies Atlas' fetcher to the sites it visits.
	DefaultUserAgent = "AtlasBot/1.0 (+https://github.com/atlasapp/atlas)"
	// DefaultMaxBodyBytes is the body read cap: 2 MiB.
	DefaultMaxBodyBytes = 2 << 20
	// DefaultMaxRedirects is how many redirects are followed.
	DefaultMaxRedirects = 5
	// DefaultConnectTimeout bounds a TCP connect or TLS handshake.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultTotalTimeout bounds a whole Fetch.
	DefaultTotalTimeout = 15 * time.Second
)

// FetcherOpts configures a Fetcher. The zero value is the production
// configuration.
type FetcherOpts struct {
	// UserAgent is sent on every request. Default DefaultUserAgent.
	UserAgent string
	// MaxBodyBytes caps how much of a response body is read; the rest is
	// dropped and Result.Truncated is set. Default DefaultMaxBodyBytes (2 MiB).
	MaxBodyBytes int64
	// MaxRedirects caps how many redirects are followed. Zero means
	// DefaultMaxRedirects (5); a negative value follows none.
	MaxRedirects int
	// ConnectTimeout bounds each TCP connect and TLS handshake.
	// Default DefaultConnectTimeout (5 s).
	ConnectTimeout time.Duration
	// TotalTimeout bounds a whole Fetch: DNS, every hop, headers and body.
	// Default DefaultTotalTimeout (15 s).
	TotalTimeout time.Duration

	// AllowLoopback lets the fetcher connect to loopback addresses
	// (127.0.0.0/8 and ::1) and to nothing else that is otherwise refused.
	//
	// FOR TESTS ONLY, so that they can talk to an httptest server on
	// 127.0.0.1. NEVER set it in production: it exposes every service that
	// listens on the worker's loopback interface (databases, admin ports,
	// sidecars) to any user who can save a URL.
	AllowLoopback bool

	// Allow is the operator's allow list (ATLAS_FETCH_ALLOW): hosts,
	// addresses and networks fetched although the rules refuse them.
	Allow AllowList

	// ResolveFunc, if set, replaces DNS: it returns the addresses a host name
	// resolves to. Tests use it to make a name resolve to a chosen address.
	// Every address it returns is still checked at dial time. IP literals
	// never reach it.
	ResolveFunc func(ctx context.Context, host string) ([]netip.Addr, error)

	// RootCAs, if set, replaces the system roots for verifying HTTPS
	// servers (tests use it to trust an httptest TLS server).
	RootCAs *x509.CertPool
}

// Fetcher fetches pages safely (see the package documentation) and extracts
// their metadata. It is safe for concurrent use; create one and reuse it so
// connections are pooled.
type Fetcher struct {
	opts      FetcherOpts
	guard     Guard
	transport *http.Transport
	client    *http.Client
}

// Result is what a Fetch learned about a URL. The HTML fields are empty for
// non-HTML responses and for fields the page does not provide (except
// FaviconURL, which falls back to /favicon.ico of the final host).
type Result struct {
	// FinalURL is the URL of the last response, after redirects.
	FinalURL string
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// ContentType is the lower-case media type without parameters, from the
	// Content-Type header or, when it is missing, sniffed from the body.
	ContentType string
	// Size is the number of body bytes kept (at most MaxBodyBytes).
	Size int64
	// Truncated is set when the body was longer than MaxBodyBytes.
	Truncated bool

	// Title is og:title, else twitter:title, else <title>.
	Title string
	// Description is og:description, else twitter:description, else
	// <meta name=description>.
	Description string
	// CanonicalURL is og:url, else <link rel=canonical>, absolute.
	CanonicalURL string
	// SiteName is og:site_name, else <meta name=application-name>.
	SiteName string
	// FaviconURL is <link rel=icon> (or "shortcut icon"), else
	// apple-touch-icon, else /favicon.ico of the final URL's host.
	FaviconURL string
	// ImageURL is og:image, else twitter:image, absolute.
	ImageURL string
	// Language is <html lang>, else the Content-Language header, else
	// <meta http-equiv=content-language>, else og:locale, as a language tag.
	Language string
	// Charset is the character encoding the page was decoded from (for
	// example "utf-8", "windows-1252", "shift_jis"), or the Content-Type
	// charset of a non-HTML text response.
	Charset string

	// Text is the page's readable text (HTML through the readability
	// algorithm, plain text as is, PDF's text layer), or why there is none
	// (other content types, empty pages).
	Text PageText
}

// NewFetcher returns a Fetcher with opts, zero fields replaced by defaults.
func NewFetcher(opts FetcherOpts) *Fetcher {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.TotalTimeout <= 0 {
		opts.TotalTimeout = DefaultTotalTimeout
	}

	f := &Fetcher{opts: opts}
	// The address check runs for every connection attempt, after DNS
	// resolution and before connect(2).
	f.guard = Guard{Allow: opts.Allow, AllowLoopback: opts.AllowLoopback, ResolveFunc: opts.ResolveFunc, ConnectTimeout: opts.ConnectTimeout}
	f.transport = &http.Transport{
		Proxy:                  nil, // never a proxy from the environment
		DialContext:            f.guard.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    opts.ConnectTimeout,
		ResponseHeaderTimeout:  opts.TotalTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f.client = &http.Client{
		Transport:     f.transport,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// CloseIdleConnections closes the fetcher's pooled idle connections.
func (f *Fetcher) CloseIdleConnections() {
	f.transport.CloseIdleConnections()
}

// checkRedirect applies the redirect limit and the URL rules to every hop.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.opts.MaxRedirects {
		return fmt.Errorf("after %d redirects: %w", f.opts.MaxRedirects, ErrTooManyRedirects)
	}
	if err := checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
	}
	return nil
}

// Fetch fetches rawURL and extracts its metadata. Redirects are followed (up
// to MaxRedirects), the body is read up to MaxBodyBytes, and the whole call
// takes at most TotalTimeout.
//
// A non-2xx final response returns a *StatusError (wrapped in a
// retry.Permanent when retrying is pointless) together with a Result that
// has FinalURL and StatusCode set. A non-HTML response is not an error: the
// Result then carries the content type and size only. Use retry.IsPermanent on any
// error to decide whether to retry.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Result, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return Result{}, retry.Permanent(fmt.Errorf("enrich: parse URL: %w: %w", ErrInvalidURL, err))
	}
	if err := checkURL(u); err != nil {
		return Result{}, retry.Permanent(fmt.Errorf("enrich: fetch %s: %w", u.Redacted(), err))
	}

	ctx, cancel := context.WithTimeout(ctx, f.opts.TotalTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, retry.Permanent(fmt.Errorf("enrich: build request: %w: %w", ErrInvalidURL, err))
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	req.Header.Set("Accept-Language", "en;q=0.8,*;q=0.5")

	resp, err := f.client.Do(req)
	if err != nil {
		return Result{}, classify(fmt.Errorf("enrich: fetch: %w", err))
	}
	defer resp.Body.Close()

	final := resp.Request.URL
	res := Result{FinalURL: final.String(), StatusCode: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, newStatusError(resp, time.Now())
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBodyBytes+1))
	if err != nil {
		return res, classify(fmt.Errorf("enrich: read body of %s: %w", final.Redacted(), err))
	}
	if int64(len(body)) > f.opts.MaxBodyBytes {
		body = body[:f.opts.MaxBodyBytes]
		res.Truncated = true
	}
	res.Size = int64(len(body))

	contentType := resp.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(contentType)
	if errors.Is(err, mime.ErrInvalidMediaParameter) {
		err = nil // "text/html; charset" still says HTML
	}
	if err != nil || mediaType == "" || mediaType == "application/octet-stream" {
		// Missing, malformed or generic: sniff like a browser would.
		contentType = http.DetectContentType(body)
		mediaType, params, _ = mime.ParseMediaType(contentType)
	}
	res.ContentType = mediaType

	if mediaType != "text/html" && mediaType != "application/xhtml+xml" {
		if strings.HasPrefix(mediaType, "text/") {
			res.Charset = strings.ToLower(params["charset"])
		}
		switch mediaType {
		case "text/plain", "text/markdown":
			res.Text = extractPlainText(body, contentType)
		case "application/pdf":
			res.Text = extractPDFText(body, res.Truncated)
		default:
			res.Text = PageText{SkipReason: fmt.Sprintf("%s is not a supported content type (HTML, plain text and PDF are)", mediaType)}
		}
		res.Text.Truncated = res.Text.Truncated || (res.Truncated && res.Text.SkipReason == "")
		return res, nil
	}

	page := extractPage(body, contentType, resp.Header.Get("Content-Language"), final)
	res.Title = page.title
	res.Description = page.description
	res.CanonicalURL = page.canonicalURL
	res.SiteName = page.siteName
	res.FaviconURL = page.faviconURL
	res.ImageURL = page.imageURL
	res.Language = page.language
	res.Charset = page.charset
	res.Text = extractHTMLText(body, contentType, final)
	res.Text.Truncated = res.Text.Truncated || (res.Truncated && res.Text.SkipReason == "")
	return res, nil
}
