package enrich

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAllowList_RefusesBadEntries(t *testing.T) {
	t.Parallel()
	for _, entries := range [][]string{
		{"169.254.169.254"},
		{"169.254.169.254/32"},
		{"::ffff:169.254.169.254"},
		{"fd00:ec2::254"},
		{"[fd00:ec2::254]"},
		{"10.0.0.0/33"},
		{"http://wiki.corp.example"},
		{"wiki corp"},
		{"a..b"},
	} {
		_, err := ParseAllowList(entries)
		assert.Error(t, err, "%q", entries)
	}
}

func TestParseAllowList_Empty(t *testing.T) {
	t.Parallel()
	l, err := ParseAllowList([]string{"", " "})
	require.NoError(t, err)
	assert.True(t, l.Empty())
	assert.False(t, l.AllowsHost("127.0.0.1"))
	assert.False(t, l.AllowsHost("localhost"))
}

func TestAllowList_AllowsListedHostsAddressesAndNetworks(t *testing.T) {
	t.Parallel()
	l, err := ParseAllowList([]string{" Wiki.Corp.Example. ", "10.20.0.0/16", "127.0.0.3", "fd12::/64", "::ffff:192.168.7.0/120"})
	require.NoError(t, err)
	assert.Equal(t, "wiki.corp.example.,10.20.0.0/16,127.0.0.3,fd12::/64,::ffff:192.168.7.0/120", l.String())
	for host, want := range map[string]bool{
		"wiki.corp.example": true, "WIKI.corp.example.": true, "other.corp.example": false,
		"10.20.1.2": true, "10.21.0.1": false, "127.0.0.3": true, "127.0.0.1": false,
		"[fd12::9]": true, "fd13::1": false, "192.168.7.9": true, "192.168.8.1": false,
		"::ffff:10.20.0.1": true,
	} {
		assert.Equal(t, want, l.AllowsHost(host), host)
	}
}

func TestGuardControl_AllowListNeverOpensMetadata(t *testing.T) {
	t.Parallel()
	l, err := ParseAllowList([]string{"169.254.0.0/16", "0.0.0.0/0", "::/0", "10.20.0.0/16", "127.0.0.3"})
	require.NoError(t, err)
	g := Guard{Allow: l}
	allowed, named := g.control(false), g.control(true)
	assert.NoError(t, allowed("tcp4", "10.20.3.4:80", nil))
	assert.NoError(t, allowed("tcp4", "127.0.0.3:80", nil))
	assert.NoError(t, allowed("tcp4", "169.254.1.1:80", nil))
	for _, addr := range []string{"169.254.169.254:80", "[::ffff:169.254.169.254]:80", "[fd00:ec2::254]:80", "[64:ff9b::a9fe:a9fe]:80", "[2002:a9fe:a9fe::1]:80"} {
		assert.ErrorIs(t, allowed("tcp", addr, nil), ErrBlockedAddress, addr)
		assert.ErrorIs(t, named("tcp", addr, nil), ErrBlockedAddress, "an allowed name resolving to %s", addr)
	}
}

func TestGuardControl_AllowListIsNarrow(t *testing.T) {
	t.Parallel()
	l, err := ParseAllowList([]string{"10.20.0.0/16", "127.0.0.3", "wiki.corp.example"})
	require.NoError(t, err)
	g := Guard{Allow: l}
	c := g.control(false)
	assert.ErrorIs(t, c("tcp4", "10.21.0.1:80", nil), ErrBlockedAddress)
	assert.ErrorIs(t, c("tcp4", "127.0.0.1:80", nil), ErrBlockedAddress)
	assert.ErrorIs(t, c("tcp4", "192.168.1.1:80", nil), ErrBlockedAddress)
	assert.NoError(t, c("tcp4", "8.8.8.8:443", nil))
	// A listed name allows what it resolves to.
	assert.NoError(t, g.control(true)("tcp4", "192.168.1.1:80", nil))
	assert.True(t, isMetadata(netip.MustParseAddr("::ffff:169.254.169.254")))
}

func TestGuardCheckHost(t *testing.T) {
	t.Parallel()
	l, err := ParseAllowList([]string{"127.0.0.3", "intranet.localhost"})
	require.NoError(t, err)
	g := Guard{Allow: l}
	for host, blocked := range map[string]bool{
		"example.com": false, "8.8.8.8": false, "[2606:4700:4700::1111]": false,
		"127.0.0.1": true, "10.0.0.1": true, "[::1]": true, "localhost": true, "a.localhost": true, "169.254.169.254": true,
		"127.0.0.3": false, "intranet.localhost": false,
	} {
		err := g.CheckHost(host)
		if blocked {
			assert.ErrorIs(t, err, ErrBlockedAddress, host)
		} else {
			assert.NoError(t, err, host)
		}
	}
}
