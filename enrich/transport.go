package enrich

import (
	"fmt"
	"net/http"

	"github.com/atlasapp/atlas/retry"
)

// Transport returns an http.RoundTripper with the fetcher's guard, for code
// that makes its own requests (archiving a page's sub-resources): every
// request's URL passes the same URL rules as Fetch, and every connection
// the same address check at dial time, so a redirect followed by the
// caller's client is checked like the first hop. It shares the fetcher's
// connection pool and never uses a proxy.
func (f *Fetcher) Transport() http.RoundTripper { return guardedTransport{f: f} }

type guardedTransport struct{ f *Fetcher }

// RoundTrip checks the request's URL, then sends it through the fetcher's
// transport (whose dialer checks the address).
func (g guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, retry.Permanent(fmt.Errorf("enrich: fetch %s: %w", req.URL.Redacted(), err))
	}
	if req.Header.Get("User-Agent") != g.f.opts.UserAgent {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", g.f.opts.UserAgent)
	}
	resp, err := g.f.transport.RoundTrip(req)
	if err != nil {
		return nil, classify(err)
	}
	return resp, nil
}
