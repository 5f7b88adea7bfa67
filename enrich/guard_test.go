package enrich

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr          string
		blocked       bool
		allowLoopback bool // when set, the expectation is with AllowLoopback
	}{
		// Public addresses pass.
		{addr: "8.8.8.8"},
		{addr: "1.1.1.1"},
		{addr: "93.184.216.34"},
		{addr: "100.63.255.255"},
		{addr: "100.128.0.0"},
		{addr: "172.15.255.255"},
		{addr: "172.32.0.0"},
		{addr: "192.169.0.1"},
		{addr: "2606:4700:4700::1111"},
		{addr: "2a00:1450:4001:80b::200e"},
		{addr: "::ffff:8.8.8.8"},
		{addr: "64:ff9b::808:808"}, // NAT64 of 8.8.8.8
		{addr: "2002:808:808::1"},  // 6to4 of 8.8.8.8
		{addr: "fe80::1%eth0", blocked: true},

		// IPv4 special ranges.
		{addr: "0.0.0.0", blocked: true},
		{addr: "0.1.2.3", blocked: true},
		{addr: "10.0.0.1", blocked: true},
		{addr: "10.255.255.255", blocked: true},
		{addr: "100.64.0.1", blocked: true},
		{addr: "100.127.255.254", blocked: true},
		{addr: "127.0.0.1", blocked: true},
		{addr: "127.1.2.3", blocked: true},
		{addr: "169.254.169.254", blocked: true},
		{addr: "169.254.0.1", blocked: true},
		{addr: "172.16.0.1", blocked: true},
		{addr: "172.31.255.255", blocked: true},
		{addr: "192.0.0.170", blocked: true},
		{addr: "192.0.2.1", blocked: true},
		{addr: "192.168.1.1", blocked: true},
		{addr: "198.18.0.1", blocked: true},
		{addr: "198.51.100.7", blocked: true},
		{addr: "203.0.113.9", blocked: true},
		{addr: "224.0.0.1", blocked: true},
		{addr: "239.255.255.250", blocked: true},
		{addr: "240.0.0.1", blocked: true},
		{addr: "255.255.255.255", blocked: true},

		// IPv6 special ranges.
		{addr: "::", blocked: true},
		{addr: "::1", blocked: true},
		{addr: "::127.0.0.1", blocked: true}, // IPv4-compatible
		{addr: "fc00::1", blocked: true},
		{addr: "fd12:3456:789a::1", blocked: true},
		{addr: "fe80::1", blocked: true},
		{addr: "febf::1", blocked: true},
		{addr: "fec0::1", blocked: true},
		{addr: "ff02::1", blocked: true},
		{addr: "2001:db8::1", blocked: true},
		{addr: "2001::1", blocked: true}, // Teredo
		{addr: "100::1", blocked: true},
		{addr: "64:ff9b:1::a00:1", blocked: true},

		// IPv4-mapped, NAT64 and 6to4 forms of blocked IPv4.
		{addr: "::ffff:127.0.0.1", blocked: true},
		{addr: "::ffff:10.0.0.1", blocked: true},
		{addr: "::ffff:169.254.169.254", blocked: true},
		{addr: "::ffff:192.168.1.1", blocked: true},
		{addr: "::ffff:0.0.0.0", blocked: true},
		{addr: "64:ff9b::a9fe:a9fe", blocked: true}, // NAT64 of 169.254.169.254
		{addr: "64:ff9b::7f00:1", blocked: true},    // NAT64 of 127.0.0.1
		{addr: "2002:a00:1::1", blocked: true},      // 6to4 of 10.0.0.1
		{addr: "2002:7f00:1::1", blocked: true},     // 6to4 of 127.0.0.1

		// AllowLoopback allows loopback and nothing else.
		{addr: "127.0.0.1", allowLoopback: true},
		{addr: "127.9.9.9", allowLoopback: true},
		{addr: "::1", allowLoopback: true},
		{addr: "::ffff:127.0.0.1", allowLoopback: true},
		{addr: "64:ff9b::7f00:1", allowLoopback: true, blocked: true},
		{addr: "0.0.0.0", allowLoopback: true, blocked: true},
		{addr: "::", allowLoopback: true, blocked: true},
		{addr: "10.0.0.1", allowLoopback: true, blocked: true},
		{addr: "169.254.169.254", allowLoopback: true, blocked: true},
		{addr: "::ffff:169.254.169.254", allowLoopback: true, blocked: true},
		{addr: "192.168.1.1", allowLoopback: true, blocked: true},
		{addr: "fc00::1", allowLoopback: true, blocked: true},
		{addr: "fe80::1", allowLoopback: true, blocked: true},
		{addr: "8.8.8.8", allowLoopback: true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			a, err := netip.ParseAddr(tt.addr)
			require.NoError(t, err)
			err = checkAddr(a, tt.allowLoopback)
			if tt.blocked {
				assert.ErrorIs(t, err, ErrBlockedAddress, "allowLoopback=%v", tt.allowLoopback)
			} else {
				assert.NoError(t, err, "allowLoopback=%v", tt.allowLoopback)
			}
		})
	}
}

func TestDialControl(t *testing.T) {
	t.Parallel()
	strict, loopback := Guard{}.control(false), Guard{AllowLoopback: true}.control(false)

	assert.ErrorIs(t, strict("tcp4", "127.0.0.1:80", nil), ErrBlockedAddress)
	assert.ErrorIs(t, strict("tcp6", "[::ffff:169.254.169.254]:80", nil), ErrBlockedAddress)
	assert.ErrorIs(t, strict("tcp6", "[fe80::1%lo]:443", nil), ErrBlockedAddress)
	assert.NoError(t, strict("tcp4", "8.8.8.8:443", nil))
	assert.NoError(t, strict("tcp6", "[2606:4700:4700::1111]:443", nil))

	assert.NoError(t, loopback("tcp4", "127.0.0.1:8080", nil))
	assert.NoError(t, loopback("tcp6", "[::1]:8080", nil))
	assert.ErrorIs(t, loopback("tcp4", "10.1.2.3:80", nil), ErrBlockedAddress)

	assert.ErrorIs(t, strict("udp4", "8.8.8.8:53", nil), ErrBlockedAddress, "only TCP is dialled")
	assert.ErrorIs(t, strict("tcp4", "example.com:80", nil), ErrBlockedAddress, "an unresolved name is refused")
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want error
	}{
		{raw: "http://example.com/"},
		{raw: "https://example.com:8443/a?b=c#d"},
		{raw: "HTTPS://EXAMPLE.COM/"},
		{raw: "ftp://example.com/", want: ErrUnsupportedScheme},
		{raw: "file:///etc/passwd", want: ErrUnsupportedScheme},
		{raw: "gopher://example.com/", want: ErrUnsupportedScheme},
		{raw: "javascript:alert(1)", want: ErrUnsupportedScheme},
		{raw: "data:text/html,<title>x</title>", want: ErrUnsupportedScheme},
		{raw: "/relative/path", want: ErrUnsupportedScheme},
		{raw: "http:opaque", want: ErrInvalidURL},
		{raw: "http://user:pass@example.com/", want: ErrInvalidURL},
		{raw: "http://user@example.com/", want: ErrInvalidURL},
		{raw: "http:///path", want: ErrInvalidURL},
		{raw: "http://:80/", want: ErrInvalidURL},
		{raw: "http://example.com/" + strings.Repeat("a", maxURLLength), want: ErrInvalidURL},
	}
	for _, tt := range tests {
		t.Run(tt.raw[:min(len(tt.raw), 40)], func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.raw)
			require.NoError(t, err)
			err = checkURL(u)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestIsLocalhostName(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"localhost", "LocalHost", "localhost.", "a.localhost", "x.y.LOCALHOST."} {
		assert.True(t, isLocalhostName(h), h)
	}
	for _, h := range []string{"example.com", "localhost.example.com", "mylocalhost", "127.0.0.1", ""} {
		assert.False(t, isLocalhostName(h), h)
	}
}
