// Package urlnorm turns a URL into the key Atlas compares links by: two
// URLs that name the same page in practice (case of the scheme and host,
// default ports, "www.", a trailing slash, a fragment, tracking
// parameters, the order of the query, IDN or punycode, the spelling of
// percent-escapes) normalise to the same string. The key is for finding
// duplicates, never for fetching: it may drop parts a server would see.
package urlnorm

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// ErrNotHTTP is returned for input that is not an absolute http(s) URL
// with a host.
var ErrNotHTTP = errors.New("not an absolute http(s) URL")

// trackingParams are query parameters that identify a campaign, a click or
// a mail recipient rather than the page; they are dropped.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "mc_eid": true, "mc_cid": true, "igshid": true, "yclid": true, "twclid": true,
	"ttclid": true, "li_fat_id": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "vero_conv": true, "wickedid": true,
	"_ga": true, "_gl": true, "s_cid": true, "ncid": true, "spm": true,
}

// trackingPrefixes: every parameter starting with one of them is dropped.
var trackingPrefixes = []string{"utm_", "pk_", "mtm_"}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	if trackingParams[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// idnaProfile maps a host to its ASCII (punycode) form as browsers do.
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule())

// Normalize returns raw's comparison key. The rules, in order:
//   - the scheme and host are lower-cased; an internationalised host
//     becomes punycode; a trailing dot and a leading "www." are dropped;
//     an IPv6 literal is written in its canonical form;
//   - the default port (80 for http, 443 for https) is dropped;
//   - percent-escapes of unreserved characters are decoded, others are
//     upper-cased, and bytes that need escaping are escaped;
//   - "." and ".." path segments are resolved, and a trailing slash
//     (also the root's) dropped;
//   - tracking parameters (utm_*, fbclid, gclid, mc_eid, ...) and empty
//     ones are dropped and the rest sorted;
//   - the fragment is dropped unless it is a client-side route ("#!" or
//     "#/").
func Normalize(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", ErrNotHTTP
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", ErrNotHTTP
	}
	host, err := normalizeHost(u.Hostname())
	if err != nil {
		return "", err
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	if port != "" {
		b.WriteString(net.JoinHostPort(host, port))
	} else if strings.Contains(host, ":") {
		b.WriteString("[" + host + "]")
	} else {
		b.WriteString(host)
	}
	b.WriteString(normalizePath(rawPath(raw)))
	if q := normalizeQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	if f := u.EscapedFragment(); strings.HasPrefix(f, "!") || strings.HasPrefix(f, "/") {
		b.WriteByte('#')
		b.WriteString(normalizeEscapes(f))
	}
	return b.String(), nil
}

func normalizeHost(h string) (string, error) {
	if strings.Contains(h, ":") { // an IPv6 literal
		a, err := netip.ParseAddr(h)
		if err != nil {
			return "", ErrNotHTTP
		}
		return a.String(), nil
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if ascii, err := idnaProfile.ToASCII(h); err == nil {
		h = ascii
	}
	if strings.HasPrefix(h, "www.") && strings.Count(h, ".") >= 2 {
		h = h[len("www."):]
	}
	if h == "" {
		return "", ErrNotHTTP
	}
	return h, nil
}

// rawPath is the path of an absolute URL as written (net/url decodes it,
// and cannot give back "%2F" beside a raw space).
func rawPath(raw string) string {
	_, rest, _ := strings.Cut(raw, "://")
	i := strings.IndexAny(rest, "/?#")
	if i < 0 || rest[i] != '/' {
		return ""
	}
	rest = rest[i:]
	if j := strings.IndexAny(rest, "?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func normalizePath(p string) string {
	p = normalizeEscapes(p)
	if p == "" || p == "/" {
		return ""
	}
	p = path.Clean("/" + p)
	return strings.TrimSuffix(p, "/")
}

func normalizeQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.FieldsFunc(q, func(r rune) bool { return r == '&' })
	kept := parts[:0]
	for _, p := range parts {
		key, _, _ := strings.Cut(p, "=")
		dec, err := url.QueryUnescape(key)
		if err != nil {
			dec = key
		}
		if key == "" || isTracking(dec) {
			continue
		}
		kept = append(kept, normalizeEscapes(p))
	}
	slices.Sort(kept)
	return strings.Join(kept, "&")
}

const hexDigits = "0123456789ABCDEF"

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// normalizeEscapes writes one spelling of an escaped URL component:
// escapes of unreserved characters decoded, other escapes upper-case, and
// a stray '%', spaces, controls and non-ASCII bytes escaped.
func normalizeEscapes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				d := hi<<4 | lo
				if isUnreserved(d) {
					b.WriteByte(d)
				} else {
					b.WriteByte('%')
					b.WriteByte(hexDigits[d>>4])
					b.WriteByte(hexDigits[d&15])
				}
				i += 2
				continue
			}
		}
		if c == '%' || c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
