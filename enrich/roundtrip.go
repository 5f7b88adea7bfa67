package enrich

import (
	"fmt"
	"net/http"
)

// RoundTrip sends one request through the fetcher's guarded transport (the
// same address checks at dial time and URL rules as Fetch) and returns the
// response as it is: redirects are not followed, the body is not read, and
// the request's context bounds it (FetcherOpts.TotalTimeout does not). The
// link checker uses it to inspect each hop of a redirect chain itself;
// call it again for every Location, which is then checked in turn. The
// caller closes the body.
func (f *Fetcher) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		return nil, fmt.Errorf("enrich: request %s: %w", req.URL.Redacted(), err)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", f.opts.UserAgent)
	}
	return f.transport.RoundTrip(req)
}
