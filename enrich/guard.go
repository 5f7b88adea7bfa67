package enrich

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// maxURLLength bounds the URLs a Fetcher accepts, on the first hop and on
// every redirect.
const maxURLLength = 8 << 10

// blockedV4 lists the IPv4 ranges that are never a public web server: a
// fetch may not connect to any address inside them.
var blockedV4 = mustPrefixes(
	"0.0.0.0/8",       // "this network", includes the unspecified address
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, includes cloud metadata 169.254.169.254
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, includes broadcast 255.255.255.255
)

// blockedV6 lists the IPv6 ranges that are never a public web server.
// IPv4-mapped addresses (::ffff:0:0/96) are unmapped and judged as IPv4;
// NAT64 and 6to4 addresses are judged by the IPv4 address they embed.
var blockedV6 = mustPrefixes(
	"::/96",          // unspecified, loopback and deprecated IPv4-compatible
	"64:ff9b:1::/48", // local-use NAT64
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments (Teredo, benchmarking, ORCHID)
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"fc00::/7",       // unique-local
	"fe80::/10",      // link-local
	"fec0::/10",      // deprecated site-local
	"ff00::/8",       // multicast
)

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// checkAddr reports, as an error wrapping ErrBlockedAddress, whether a fetch
// must not connect to a. With allowLoopback, loopback addresses (127.0.0.0/8,
// ::1 and their IPv4-mapped forms) are allowed and nothing else is.
func checkAddr(a netip.Addr, allowLoopback bool) error {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return fmt.Errorf("invalid address: %w", ErrBlockedAddress)
	}
	if allowLoopback && a.IsLoopback() {
		return nil
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return fmt.Errorf("address %s: %w", a, ErrBlockedAddress)
	}
	if a.Is4() {
		for _, p := range blockedV4 {
			if p.Contains(a) {
				return fmt.Errorf("address %s in %s: %w", a, p, ErrBlockedAddress)
			}
		}
		return nil
	}
	for _, p := range blockedV6 {
		if p.Contains(a) {
			return fmt.Errorf("address %s in %s: %w", a, p, ErrBlockedAddress)
		}
	}
	b := a.As16()
	switch {
	case nat64Prefix.Contains(a):
		// A NAT64 gateway would forward to the embedded IPv4 address.
		if err := checkAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), false); err != nil {
			return fmt.Errorf("NAT64 address %s: %w", a, err)
		}
	case sixToFour.Contains(a):
		// A 6to4 relay would tunnel to the embedded IPv4 address.
		if err := checkAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), false); err != nil {
			return fmt.Errorf("6to4 address %s: %w", a, err)
		}
	}
	return nil
}

// Guard is Atlas' one SSRF guard: every outbound request (enrichment,
// webhook deliveries, and the archiving and link checks to come) dials
// through a Guard, so they all refuse the same addresses and honour the same
// operator allow list (ATLAS_FETCH_ALLOW).
type Guard struct {
	// Allow names the hosts, addresses and networks the operator allows
	// despite the rules (ATLAS_FETCH_ALLOW). The cloud metadata address is
	// refused even when Allow covers it.
	Allow AllowList
	// AllowLoopback lets the guard connect to loopback addresses. FOR TESTS
	// ONLY (see FetcherOpts.AllowLoopback).
	AllowLoopback bool
	// ResolveFunc, if set, replaces DNS (tests). Every address it returns
	// is still checked at dial time; IP literals never reach it.
	ResolveFunc func(ctx context.Context, host string) ([]netip.Addr, error)
	// ConnectTimeout bounds each TCP connect (DefaultConnectTimeout).
	ConnectTimeout time.Duration
}

// control returns the net.Dialer Control hook that enforces the address
// rules. The dialer calls it with the resolved IP address after creating the
// socket and before connect(2), so a refused address never sees a packet.
// hostAllowed is set when the dialled host name is on the allow list: its
// addresses are then allowed, except the metadata service's.
func (g Guard) control(hostAllowed bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return fmt.Errorf("network %q: %w", network, ErrBlockedAddress)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dial address %q: %w", address, ErrBlockedAddress)
		}
		a := ap.Addr().Unmap().WithZone("")
		if isMetadata(a) {
			return fmt.Errorf("address %s is the cloud metadata service, never allowed: %w", a, ErrBlockedAddress)
		}
		if hostAllowed || g.Allow.allowsAddr(a) {
			return nil
		}
		return checkAddr(a, g.AllowLoopback)
	}
}

// DialContext dials address (host:port) for an HTTP transport, resolving
// the host (with ResolveFunc when set) and checking every address it tries.
func (g Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("split %q: %w", address, err)
	}
	hostAllowed := g.Allow.allowsName(host)
	if !g.AllowLoopback && !hostAllowed && isLocalhostName(host) {
		// Always loopback (RFC 6761): refused without even resolving it.
		return nil, fmt.Errorf("host %s: %w", host, ErrBlockedAddress)
	}
	timeout := g.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	dialer := &net.Dialer{Timeout: timeout, Control: g.control(hostAllowed)}
	if g.ResolveFunc == nil {
		return dialer.DialContext(ctx, network, address)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return dialer.DialContext(ctx, network, address)
	}
	addrs, err := g.ResolveFunc(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	var firstErr error
	for _, a := range addrs {
		conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// CheckURL reports whether u may be requested at all (see checkURL); the
// address rules apply when it is dialled.
func (g Guard) CheckURL(u *url.URL) error { return checkURL(u) }

// isLocalhostName reports whether host is "localhost" or a name under
// ".localhost", which always resolve to loopback (RFC 6761).
func isLocalhostName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// checkURL reports whether u may be requested at all: http or https only, an
// absolute URL with a host and without userinfo, of reasonable length.
func checkURL(u *url.URL) error {
	switch u.Scheme {
	case "http", "https":
	default:
		return fmt.Errorf("scheme %q: %w", u.Scheme, ErrUnsupportedScheme)
	}
	if u.Opaque != "" {
		return fmt.Errorf("opaque URL: %w", ErrInvalidURL)
	}
	if u.User != nil {
		return fmt.Errorf("URL with userinfo: %w", ErrInvalidURL)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("URL without host: %w", ErrInvalidURL)
	}
	if len(u.String()) > maxURLLength {
		return fmt.Errorf("URL longer than %d bytes: %w", maxURLLength, ErrInvalidURL)
	}
	return nil
}

// CheckHost reports early, before any connection, whether host (a URL's
// hostname) is certainly refused: an IP literal the address rules refuse or
// the allow list does not name, or a localhost name. Other names are judged
// when dialled, on the addresses they resolve to then.
func (g Guard) CheckHost(host string) error {
	host = strings.Trim(host, "[]")
	if g.Allow.allowsName(host) {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return g.control(false)("tcp", netip.AddrPortFrom(a.WithZone(""), 443).String(), nil)
	}
	if !g.AllowLoopback && isLocalhostName(host) {
		return fmt.Errorf("host %s: %w", host, ErrBlockedAddress)
	}
	return nil
}
