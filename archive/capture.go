package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/go-shiori/obelisk"
	"golang.org/x/net/html/charset"

	"github.com/atlasapp/atlas/enrich"
)

// Defaults of CaptureOpts.
const (
	// DefaultMaxBytesPerItem caps what one item's copies may take: 20 MiB.
	DefaultMaxBytesPerItem = 20 << 20
	// DefaultMaxResourceBytes caps the page and each of its resources: 5 MiB.
	DefaultMaxResourceBytes = 5 << 20
	// DefaultTimeBudget bounds a whole capture, every download included.
	DefaultTimeBudget = 60 * time.Second
	// maxRedirects bounds the redirects of the page and of each resource.
	maxRedirects = 5
)

// CaptureOpts configures a Capturer. Zero fields take the defaults.
type CaptureOpts struct {
	// Fetch is the guard of every download (the same options as
	// enrichment; AllowLoopback only ever in tests).
	Fetch enrich.FetcherOpts
	// MaxBytesPerItem caps the bytes downloaded for one capture and the
	// size of what is stored for it (ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM).
	MaxBytesPerItem int64
	// MaxResourceBytes caps the page and each sub-resource.
	MaxResourceBytes int64
	// TimeBudget bounds a whole capture.
	TimeBudget time.Duration
}

// Capturer makes the archived copies of pages. It is safe for concurrent
// use.
type Capturer struct {
	opts    CaptureOpts
	fetcher *enrich.Fetcher
}

// NewCapturer returns a Capturer.
func NewCapturer(opts CaptureOpts) *Capturer {
	if opts.MaxBytesPerItem <= 0 {
		opts.MaxBytesPerItem = DefaultMaxBytesPerItem
	}
	if opts.MaxResourceBytes <= 0 {
		opts.MaxResourceBytes = DefaultMaxResourceBytes
	}
	opts.MaxResourceBytes = min(opts.MaxResourceBytes, opts.MaxBytesPerItem)
	if opts.TimeBudget <= 0 {
		opts.TimeBudget = DefaultTimeBudget
	}
	return &Capturer{opts: opts, fetcher: enrich.NewFetcher(opts.Fetch)}
}

// Capture is what a capture made of a page: both copies, sanitised.
type Capture struct {
	// FinalURL is the page's URL after redirects.
	FinalURL string
	// HTML is the self-contained copy: resources inlined as data: URLs,
	// scripts, handlers, frames and refreshes removed.
	HTML []byte
	// Readable is the readable version (readability's article as
	// sanitised HTML), or nil when the page has none.
	Readable []byte
	// Blocked counts resources the guard refused; Skipped those left out
	// for another reason. Their original URLs stay in the copy, which is
	// served under a policy that loads nothing from the network.
	Blocked, Skipped int
}

// Capture fetches pageURL and its resources and makes its copies. A failure
// is a *Failure saying why in words a person can read.
func (c *Capturer) Capture(ctx context.Context, pageURL string) (Capture, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.TimeBudget)
	defer cancel()
	b := newBudget(ctx, c.opts.MaxBytesPerItem, c.opts.MaxResourceBytes)
	client := &http.Client{
		Transport: budgetTransport{next: c.fetcher.Transport(), b: b},
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("after %d redirects: %w", maxRedirects, enrich.ErrTooManyRedirects)
			}
			return nil
		},
	}
	page, final, err := c.fetchPage(ctx, client, pageURL)
	if err != nil {
		return Capture{}, c.failure(ctx, err)
	}
	arc := &obelisk.Archiver{
		DisableJS:             true,
		DisableEmbeds:         true,
		SkipResourceURLError:  true,
		MaxConcurrentDownload: 6,
		Transport:             client.Transport,
		RequestTimeout:        c.opts.TimeBudget,
		UserAgent:             enrich.DefaultUserAgent,
	}
	arc.Validate()
	out, _, err := arc.Archive(ctx, obelisk.Request{Input: bytes.NewReader(page), URL: final.String()})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil && b.exceeded.Load() {
		err = errTotalTooLarge
	}
	if err != nil {
		return Capture{}, c.failure(ctx, err)
	}
	copyHTML, err := Sanitize(out)
	if err != nil {
		return Capture{}, c.failure(ctx, err)
	}
	res := Capture{FinalURL: final.String(), HTML: copyHTML, Readable: readable(page, final)}
	res.Blocked, res.Skipped = b.counts()
	if total := int64(len(res.HTML) + len(res.Readable)); total > c.opts.MaxBytesPerItem {
		return Capture{}, &Failure{Code: CodeTooLarge, Reason: fmt.Sprintf(
			"the archived copy would take %s, more than the limit of %s per item", bytesText(total), bytesText(c.opts.MaxBytesPerItem))}
	}
	return res, nil
}

// fetchPage downloads the page (within the budget) and returns it decoded
// to UTF-8, refusing anything that is not HTML whatever its Content-Type
// says.
func (c *Capturer) fetchPage(ctx context.Context, client *http.Client, pageURL string) ([]byte, *url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", enrich.ErrInvalidURL, err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, &Failure{Code: CodeUnavailable, Reason: fmt.Sprintf("the page answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	declared := resp.Header.Get("Content-Type")
	mediaType, _, _ := mime.ParseMediaType(declared)
	if mediaType != "text/html" && mediaType != "application/xhtml+xml" {
		return nil, nil, &Failure{Code: CodeNotHTML, Reason: fmt.Sprintf("the page is %s, not HTML: only web pages are archived", orUnknown(mediaType))}
	}
	if sniffed := http.DetectContentType(body); !strings.HasPrefix(sniffed, "text/") {
		return nil, nil, &Failure{Code: CodeNotHTML, Reason: fmt.Sprintf("the server calls the page %s but sent %s", mediaType, strings.Split(sniffed, ";")[0])}
	}
	r, err := charset.NewReader(bytes.NewReader(body), declared)
	if err != nil {
		return body, resp.Request.URL, nil // unknown encoding: keep the bytes
	}
	decoded, err := io.ReadAll(r)
	if err != nil {
		return body, resp.Request.URL, nil
	}
	return decoded, resp.Request.URL, nil
}

// readable returns the page's article as sanitised HTML, or nil.
func readable(page []byte, pageURL *url.URL) []byte {
	article, err := readability.FromReader(bytes.NewReader(page), pageURL)
	if err != nil || article.Node == nil {
		return nil
	}
	var b bytes.Buffer
	if err := article.RenderHTML(&b); err != nil {
		return nil
	}
	out := SanitizeReadable(b.Bytes())
	if len(bytes.TrimSpace(out)) == 0 {
		return nil
	}
	return out
}

// failure turns a capture error into a *Failure with a reason.
func (c *Capturer) failure(ctx context.Context, err error) error {
	var f *Failure
	switch {
	case errors.As(err, &f):
		return f
	case errors.Is(err, errResourceTooLarge):
		return &Failure{Code: CodeTooLarge, Reason: fmt.Sprintf("the page or one of its resources is larger than %s", bytesText(c.opts.MaxResourceBytes)), err: err}
	case errors.Is(err, errTotalTooLarge):
		return &Failure{Code: CodeTooLarge, Reason: fmt.Sprintf("the page and its resources are larger than the limit of %s per item", bytesText(c.opts.MaxBytesPerItem)), err: err}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &Failure{Code: CodeTimeout, Reason: fmt.Sprintf("archiving took longer than %s", c.opts.TimeBudget), err: err}
	case errors.Is(err, enrich.ErrBlockedAddress):
		return &Failure{Code: CodeBlocked, Reason: "the page is on an address Atlas may not fetch (private, loopback or link-local)", err: err}
	case errors.Is(err, enrich.ErrTooManyRedirects):
		return &Failure{Code: CodeUnavailable, Reason: fmt.Sprintf("the page redirects more than %d times (a redirect loop?)", maxRedirects), err: err}
	case errors.Is(err, enrich.ErrUnsupportedScheme) || errors.Is(err, enrich.ErrInvalidURL):
		return &Failure{Code: CodeBlocked, Reason: "the URL cannot be fetched (only http and https URLs without user names are)", err: err}
	}
	return &Failure{Code: CodeUnavailable, Reason: "the page could not be fetched", err: err, Transient: true}
}

func orUnknown(s string) string {
	if s == "" {
		return "of an unknown type"
	}
	return s
}

// bytesText writes a size for people: "5 MiB", "300 KiB", "12 bytes".
func bytesText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
