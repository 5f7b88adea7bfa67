package preview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/atlasapp/atlas/enrich"
)

// Defaults of Opts.
const (
	// DefaultMaxBytes caps an image file: 5 MiB.
	DefaultMaxBytes = 5 << 20
	// DefaultMaxPixels caps an image's declared width × height: 24
	// megapixels (a 6000 × 4000 photograph), about 100 MB once decoded.
	DefaultMaxPixels = 24_000_000
	// MaxSide caps either side of an image, whatever its pixel count.
	MaxSide = 16384
	// DefaultTimeout bounds one image's fetch.
	DefaultTimeout = 15 * time.Second
	// maxRedirects bounds the redirects of an image's URL.
	maxRedirects = 5
)

// Kind is what an image is for; it decides the thumbnail's box and format.
type Kind string

// The kinds.
const (
	// KindPreview is the page's preview image (og:image, twitter:image):
	// a JPEG that fits PreviewBox.
	KindPreview Kind = "preview"
	// KindIcon is the site's icon (<link rel=icon>, /favicon.ico): a PNG
	// that fits IconBox.
	KindIcon Kind = "icon"
)

// The boxes thumbnails fit in (never enlarged).
const (
	// PreviewBox is the largest width and height of a preview: a card's
	// width at twice the pixel density.
	PreviewBox = 640
	// IconBox is the largest side of an icon.
	IconBox = 64
)

// Opts configures a Maker. Zero fields take the defaults.
type Opts struct {
	// Fetch is the guard of every download (the same options as
	// enrichment; AllowLoopback only ever in tests).
	Fetch enrich.FetcherOpts
	// MaxBytes caps an image file (ATLAS_PREVIEW_MAX_BYTES).
	MaxBytes int64
	// MaxPixels caps an image's declared width × height
	// (ATLAS_PREVIEW_MAX_PIXELS).
	MaxPixels int64
	// Timeout bounds one image's fetch.
	Timeout time.Duration
}

// Image is a thumbnail Atlas made.
type Image struct {
	// Data is the encoded thumbnail; ContentType its type (image/jpeg or
	// image/png).
	Data        []byte
	ContentType string
	// Width and Height are the thumbnail's size in pixels.
	Width, Height int
	// SourceFormat is the format the site served (png, jpeg, gif, webp, ico).
	SourceFormat string
}

// Maker fetches images and makes thumbnails of them. It is safe for
// concurrent use.
type Maker struct {
	opts   Opts
	client *http.Client
}

// NewMaker returns a Maker.
func NewMaker(opts Opts) *Maker {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	client := &http.Client{Transport: enrich.NewFetcher(opts.Fetch).Transport(), CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("after %d redirects: %w", maxRedirects, enrich.ErrTooManyRedirects)
		}
		return nil
	}}
	return &Maker{opts: opts, client: client}
}

// Timeout is the longest one Make takes.
func (m *Maker) Timeout() time.Duration { return m.opts.Timeout }

// Make fetches rawURL and returns a thumbnail of kind k, or a *Failure
// saying why there is none.
func (m *Maker) Make(ctx context.Context, rawURL string, k Kind) (Image, error) {
	data, err := m.fetch(ctx, rawURL)
	if err != nil {
		return Image{}, err
	}
	return m.thumbnail(data, k)
}

// fetch downloads rawURL through the guard, at most MaxBytes of it.
func (m *Maker) fetch(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fail(CodeBlocked, err, "the image URL cannot be fetched")
	}
	req.Header.Set("Accept", "image/webp,image/png,image/jpeg,image/gif,image/x-icon;q=0.9,*/*;q=0.1")
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, fetchFailure(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		f := fail(CodeUnavailable, nil, "the site answered %d for the image", resp.StatusCode)
		f.Transient = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
		return nil, f
	}
	if resp.ContentLength > m.opts.MaxBytes {
		return nil, fail(CodeTooLarge, nil, "the image is %d bytes, more than the limit of %d", resp.ContentLength, m.opts.MaxBytes)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, m.opts.MaxBytes+1))
	if err != nil {
		f := fail(CodeUnavailable, err, "the image could not be read")
		f.Transient = true
		return nil, f
	}
	if n > m.opts.MaxBytes {
		return nil, fail(CodeTooLarge, nil, "the image is more than the limit of %d bytes", m.opts.MaxBytes)
	}
	return buf.Bytes(), nil
}

// fetchFailure classifies an error of the request.
func fetchFailure(ctx context.Context, err error) *Failure {
	switch {
	case errors.Is(err, enrich.ErrBlockedAddress):
		return fail(CodeBlocked, err, "the image is on an address Atlas may not fetch (a private network)")
	case errors.Is(err, enrich.ErrUnsupportedScheme), errors.Is(err, enrich.ErrInvalidURL):
		return fail(CodeBlocked, err, "the image URL cannot be fetched")
	case errors.Is(err, enrich.ErrTooManyRedirects):
		return fail(CodeUnavailable, err, "the image URL redirects too often")
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		f := fail(CodeUnavailable, err, "the image took too long to download")
		f.Transient = true
		return f
	}
	f := fail(CodeUnavailable, err, "the image could not be downloaded")
	f.Transient = true
	return f
}
