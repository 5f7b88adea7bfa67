package enrich_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/retry"
)

// TestDescribe_ClassifiesFetchFailures fetches links that fail in each way a
// fetch can and checks what people are told, and whether a retry is due:
// passing failures (DNS, timeouts, 5xx, 429, refused connections) retry,
// the rest fail for good.
func TestDescribe_ClassifiesFetchFailures(t *testing.T) {
	t.Parallel()
	status := func(code int) string {
		return serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })).URL
	}
	hang := serve(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + closed.Addr().String() + "/"
	require.NoError(t, closed.Close())

	tests := []struct {
		name      string
		url       string
		kind      enrich.FailureKind
		permanent bool
		reason    string
	}{
		{"unknown host", "https://notes.example.com/a", enrich.FailureDNS, false, "Couldn't find the server notes.example.com (DNS)"},
		{"timeout", hang.URL + "/slow", enrich.FailureTimeout, false, "Timed out after 0.3 s"},
		{"server error", status(http.StatusServiceUnavailable), enrich.FailureStatus, false, "The site answered 503"},
		{"too many requests", status(http.StatusTooManyRequests), enrich.FailureStatus, false, "The site answered 429"},
		{"connection refused", closedURL, enrich.FailureConnection, false, "Couldn't connect to 127.0.0.1"},
		{"not found", status(http.StatusNotFound), enrich.FailureStatus, true, "The site answered 404"},
		{"gone", status(http.StatusGone), enrich.FailureStatus, true, "The site answered 410"},
		{"too large", status(http.StatusRequestEntityTooLarge), enrich.FailureStatus, true, "The site answered 413"},
		{"private network", "http://10.1.2.3/", enrich.FailureBlocked, true, "Blocked: the address is on a private network"},
		{"metadata service", "http://169.254.169.254/latest/", enrich.FailureBlocked, true, "Blocked: the address is on a private network"},
		{"a name resolving to a private address", "http://intranet.example/", enrich.FailureBlocked, true, "Blocked: the address is on a private network"},
		{"not http", "ftp://example.com/file", enrich.FailureScheme, true, "Only http and https links can be fetched"},
		{"untrusted certificate", tlsSrv.URL, enrich.FailureTLS, true, "The certificate of 127.0.0.1 could not be verified"},
	}
	f := loopbackFetcher(enrich.FetcherOpts{TotalTimeout: 300 * time.Millisecond,
		ResolveFunc: fakeDNS(map[string][]string{"intranet.example": {"192.168.1.10"}})})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := f.Fetch(t.Context(), tt.url)
			require.Error(t, err)
			got := f.Describe(tt.url, err)
			assert.Equal(t, tt.kind, got.Kind, "%v", err)
			assert.Equal(t, tt.permanent, got.Permanent, "%v", err)
			assert.Equal(t, tt.permanent, retry.IsPermanent(err), "%v", err)
			assert.Equal(t, tt.reason, got.Reason())
		})
	}
}

func TestFailureReason_NeverShowsTheRawError(t *testing.T) {
	t.Parallel()
	f := enrich.NewFetcher(enrich.FetcherOpts{})
	err := fmt.Errorf("enrich item 01a2: %w", errors.New(`dial tcp: lookup x on 10.255.255.53:53: weird`))
	got := f.Describe("https://x.example/", err)
	assert.Equal(t, enrich.FailureOther, got.Kind)
	assert.Equal(t, "Couldn't fetch the page", got.Reason())
	assert.Equal(t, "Timed out after 10 s", enrich.Failure{Kind: enrich.FailureTimeout, TimeoutSeconds: 10}.Reason())
}
