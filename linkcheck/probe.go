package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/urlnorm"
)

// maxHops bounds a redirect chain (the first request included).
const maxHops = 6

// sniffBytes is the range a GET asks for: enough to read a page's title.
const sniffBytes = 4096

// Probe is one check of a link: what it found, plus a request to wait
// when the host rate-limited it (then nothing is recorded).
type Probe struct {
	item.LinkObservation
	// Throttled: the host answered 429, or 503 with Retry-After; RetryAfter
	// is how long it asked to wait (0: not said).
	Throttled  bool
	RetryAfter time.Duration
}

// prober checks links through the SSRF-guarded transport of an
// enrich.Fetcher.
type prober struct {
	fetcher *enrich.Fetcher
	// timeout bounds the time a check's requests take, all hops together;
	// waiting for a host's turn (pace) is not counted.
	timeout time.Duration
	now     func() time.Time
	// pace waits for a host's turn before each request and returns the
	// function that ends it (hosts.acquire).
	pace func(ctx context.Context, host string) (release func(sent time.Time), err error)
	// slots holds a token for every request in flight: its capacity is
	// the checker's Concurrency. A request takes one once its host's turn
	// has come, so waiting for a turn holds none.
	slots chan struct{}
}

// softNotFound matches a page title that says the page is not there.
var softNotFound = regexp.MustCompile(`(?i)<title[^>]*>[^<]*(not found|404|page (does not|doesn't) exist|no longer available)[^<]*</title>`)

// check checks rawURL: HEAD first, then (when HEAD is refused or fails) a
// GET of the first few KiB; a conditional request with the previous
// validators; each redirect inspected, a loop or a redirect to a refused
// address reported as unreachable; a chain of permanent redirects to
// another page reported as moved.
func (p *prober) check(ctx context.Context, rawURL, etag, lastModified string) Probe {
	left := p.timeout // what the check's requests may still take
	start, err := urlnorm.Normalize(rawURL)
	if err != nil {
		return unreachable(0, "not an http(s) URL")
	}
	current := rawURL
	seen := map[string]bool{rawURL: true} // exact URLs: /x → /x/ is no loop
	permanent := true
	for hop := 0; hop < maxHops; hop++ {
		cond := hop == 0
		resp, body, err := p.fetch(ctx, &left, http.MethodHead, current, cond, etag, lastModified)
		if err == nil && (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented ||
			(resp.StatusCode >= 400 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusGone) ||
			(resp.StatusCode >= 200 && resp.StatusCode < 300 && isHTML(resp))) {
			// HEAD refused, failed oddly, or an HTML page whose title tells a
			// soft 404: ask for the start of the body.
			resp, body, err = p.fetch(ctx, &left, http.MethodGet, current, cond, etag, lastModified)
		}
		if err != nil {
			return p.failure(ctx, err)
		}
		code := resp.StatusCode
		switch {
		case code >= 300 && code < 400 && code != http.StatusNotModified:
			loc, lerr := resp.Location()
			if lerr != nil {
				return serverError(code, "a redirect without a usable Location")
			}
			if code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
				permanent = false
			}
			next := loc.String()
			if _, nerr := urlnorm.Normalize(next); nerr != nil {
				return unreachable(code, "a redirect to a URL Atlas does not fetch")
			}
			if seen[next] {
				return unreachable(code, "a redirect loop")
			}
			seen[next] = true
			current = next
			continue
		case code == http.StatusTooManyRequests || (code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""):
			return Probe{Throttled: true, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), p.now()),
				LinkObservation: item.LinkObservation{Status: item.LinkServerError, HTTPStatus: code, Detail: "rate limited"}}
		case code == http.StatusNotFound || code == http.StatusGone:
			return Probe{LinkObservation: item.LinkObservation{Status: item.LinkGone, HTTPStatus: code, Detail: http.StatusText(code)}}
		case code >= 400:
			return serverError(code, http.StatusText(code))
		}
		obs := item.LinkObservation{Status: item.LinkOK, HTTPStatus: code,
			ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		if code == http.StatusNotModified { // the validators still hold
			obs.ETag, obs.LastModified = etag, lastModified
		}
		obs.Soft404 = softNotFound.Match(body)
		if obs.Soft404 {
			obs.Detail = "the page says it is not found"
		}
		if hop > 0 && permanent {
			if key, _ := urlnorm.Normalize(current); key != start {
				obs.Status, obs.MovedTo, obs.Detail = item.LinkMoved, current, "redirects permanently"
			}
		}
		return Probe{LinkObservation: obs}
	}
	return unreachable(0, fmt.Sprintf("more than %d redirects", maxHops-1))
}

// answer is what one request got back: the status, the headers, where a
// redirect points (resolved; nil when none or unusable) and the start of
// a GET's body.
type answer struct {
	StatusCode int
	Header     http.Header
	location   *url.URL
	body       []byte
}

// Location is the redirect's target, like http.Response.Location.
func (a answer) Location() (*url.URL, error) {
	if a.location == nil {
		return nil, http.ErrNoLocation
	}
	return a.location, nil
}

// fetch sends one request when its host's turn comes and reads at most
// sniffBytes of a GET's body, within what is left of the check's time
// (the time it took is taken off left).
func (p *prober) fetch(ctx context.Context, left *time.Duration, method, rawURL string, conditional bool, etag, lastModified string) (answer, []byte, error) {
	release, err := p.pace(ctx, hostOf(rawURL))
	if err != nil {
		return answer{}, nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		release(time.Now())
		return answer{}, nil, ctx.Err()
	}
	began := time.Now()
	// The host's interval counts from when the request left, not from when
	// it began: a new connection's dial would otherwise shorten the gap the
	// host sees before the next request, which may reuse the connection.
	var wrote atomic.Int64
	defer func() {
		*left -= time.Since(began)
		<-p.slots
		sent := began
		if ns := wrote.Load(); ns != 0 {
			sent = time.Unix(0, ns)
		}
		release(sent)
	}()
	if *left <= 0 {
		return answer{}, nil, context.DeadlineExceeded
	}
	rctx, cancel := context.WithTimeout(ctx, *left)
	defer cancel()
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(time.Now().UnixNano()) }})
	req, err := http.NewRequestWithContext(rctx, method, rawURL, nil)
	if err != nil {
		return answer{}, nil, fmt.Errorf("%w: %w", enrich.ErrInvalidURL, err)
	}
	req.Header.Set("Accept", "text/html,*/*;q=0.5")
	if method == http.MethodGet {
		req.Header.Set("Range", "bytes=0-"+strconv.Itoa(sniffBytes-1))
	}
	if conditional {
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		if lastModified != "" {
			req.Header.Set("If-Modified-Since", lastModified)
		}
	}
	resp, err := p.fetcher.RoundTrip(req)
	if err != nil {
		return answer{}, nil, err
	}
	defer resp.Body.Close()
	a := answer{StatusCode: resp.StatusCode, Header: resp.Header}
	if loc, err := resp.Location(); err == nil {
		a.location = loc
	}
	if method == http.MethodGet {
		// A body that trickles in is cut by the deadline: the status is
		// what counts, the start of the body only hints at a soft 404.
		a.body, _ = io.ReadAll(io.LimitReader(resp.Body, sniffBytes))
	}
	return a, a.body, nil
}

func (p *prober) failure(ctx context.Context, err error) Probe {
	switch {
	case errors.Is(err, enrich.ErrBlockedAddress):
		return unreachable(0, "the address is not one Atlas may fetch")
	case errors.Is(err, enrich.ErrInvalidURL), errors.Is(err, enrich.ErrUnsupportedScheme):
		return unreachable(0, "not a URL Atlas fetches")
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return unreachable(0, fmt.Sprintf("no answer within %s", p.timeout))
	}
	var uerr *url.Error
	if errors.As(err, &uerr) && uerr.Timeout() {
		return unreachable(0, fmt.Sprintf("no answer within %s", p.timeout))
	}
	return unreachable(0, "the server could not be reached")
}

func isHTML(resp answer) bool {
	return strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html")
}

func unreachable(code int, detail string) Probe {
	return Probe{LinkObservation: item.LinkObservation{Status: item.LinkUnreachable, HTTPStatus: code, Detail: detail}}
}

func serverError(code int, detail string) Probe {
	return Probe{LinkObservation: item.LinkObservation{Status: item.LinkServerError, HTTPStatus: code, Detail: detail}}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
