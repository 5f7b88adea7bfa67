package enrich

import (
	"fmt"
	"net/netip"
	"strings"
)

// metadataAddrs are the cloud metadata services (AWS, Google Cloud, Azure
// and others answer on 169.254.169.254; AWS also on fd00:ec2::254). They
// hand out the instance's credentials, so no allow list can open them.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
}

// isMetadata reports whether a is a cloud metadata address, also in its
// IPv4-mapped, NAT64 and 6to4 forms.
func isMetadata(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a):
			a = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case sixToFour.Contains(a):
			a = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
	}
	for _, m := range metadataAddrs {
		if a == m {
			return true
		}
	}
	return false
}

// AllowList is the operator's exception to the SSRF rules
// (ATLAS_FETCH_ALLOW): host names, IP addresses and CIDR networks that
// outbound requests may reach although they are private, loopback or
// otherwise refused. A listed host name allows whatever addresses it
// resolves to; an address or network allows connections to it whatever
// name led there. The zero value allows nothing.
type AllowList struct {
	names    map[string]bool
	prefixes []netip.Prefix
	entries  []string
}

// ParseAllowList reads the entries of ATLAS_FETCH_ALLOW (already split at
// commas; blanks are skipped). An entry is a host name
// ("wiki.corp.example"), an IP address ("127.0.0.3", "fd12::1") or a CIDR
// network ("10.20.0.0/16"). An entry that names a cloud metadata address is
// an error: it can never be allowed (a network that merely contains one is
// accepted, and the metadata address in it stays refused).
func ParseAllowList(entries []string) (AllowList, error) {
	var l AllowList
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return AllowList{}, fmt.Errorf("%q is not a CIDR network: %w", e, err)
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			p = p.Masked()
			if p.Bits() == p.Addr().BitLen() && isMetadata(p.Addr()) {
				return AllowList{}, fmt.Errorf("%q is the cloud metadata address, which can never be allowed", e)
			}
			l.prefixes = append(l.prefixes, p)
		} else if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
			a = a.Unmap().WithZone("")
			if isMetadata(a) {
				return AllowList{}, fmt.Errorf("%q is the cloud metadata address, which can never be allowed", e)
			}
			l.prefixes = append(l.prefixes, netip.PrefixFrom(a, a.BitLen()))
		} else {
			name := strings.TrimSuffix(e, ".")
			if !validHostName(name) {
				return AllowList{}, fmt.Errorf("%q is not a host name, IP address or CIDR network", e)
			}
			if l.names == nil {
				l.names = map[string]bool{}
			}
			l.names[name] = true
		}
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// validHostName reports whether s looks like a DNS host name: labels of
// letters, digits, hyphens and underscores.
func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Empty reports whether the list allows nothing.
func (l AllowList) Empty() bool { return len(l.entries) == 0 }

// String lists the entries, comma-separated, as the operator wrote them
// (normalised to lower case).
func (l AllowList) String() string { return strings.Join(l.entries, ",") }

// allowsName reports whether host (a name, or an IP literal in a URL's
// host form) is a listed name.
func (l AllowList) allowsName(host string) bool {
	return l.names[strings.TrimSuffix(strings.ToLower(host), ".")]
}

// allowsAddr reports whether a is inside a listed address or network.
// The metadata addresses are never allowed.
func (l AllowList) allowsAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if isMetadata(a) {
		return false
	}
	for _, p := range l.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// AllowsHost reports whether the operator listed host: a listed name, or an
// IP literal inside a listed address or network. Callers use it for rules
// the operator may relax per host besides the address check, such as
// requiring HTTPS in production.
func (l AllowList) AllowsHost(host string) bool {
	host = strings.Trim(host, "[]")
	if a, err := netip.ParseAddr(host); err == nil {
		return l.allowsAddr(a)
	}
	return l.allowsName(host)
}
