package enrich_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
)

func TestFetch_AllowListOpensOnlyListedTargets(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolve := fakeDNS(map[string][]string{"wiki.corp.example": {"127.0.0.1"}, "other.corp.example": {"127.0.0.1"}})

	byAddr, err := enrich.ParseAllowList([]string{"127.0.0.1"})
	require.NoError(t, err)
	f := enrich.NewFetcher(enrich.FetcherOpts{Allow: byAddr, ResolveFunc: resolve})
	_, err = f.Fetch(t.Context(), fmt.Sprintf("http://127.0.0.1:%d/", port))
	require.NoError(t, err, "a listed address is fetched")
	_, err = f.Fetch(t.Context(), fmt.Sprintf("http://[::1]:%d/", port))
	require.ErrorIs(t, err, enrich.ErrBlockedAddress, "an unlisted loopback address stays refused")

	byName, err := enrich.ParseAllowList([]string{"wiki.corp.example"})
	require.NoError(t, err)
	f = enrich.NewFetcher(enrich.FetcherOpts{Allow: byName, ResolveFunc: resolve})
	_, err = f.Fetch(t.Context(), fmt.Sprintf("http://wiki.corp.example:%d/", port))
	require.NoError(t, err, "a listed name is fetched whatever it resolves to")
	_, err = f.Fetch(t.Context(), fmt.Sprintf("http://other.corp.example:%d/", port))
	require.ErrorIs(t, err, enrich.ErrBlockedAddress, "an unlisted name resolving to loopback stays refused")
	_, err = f.Fetch(t.Context(), fmt.Sprintf("http://127.0.0.1:%d/", port))
	require.ErrorIs(t, err, enrich.ErrBlockedAddress, "the listed name does not open its address to other names")
	assert.EqualValues(t, 2, hits.Load())
}
