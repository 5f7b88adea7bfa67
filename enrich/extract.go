package enrich

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// Length caps for extracted values, in runes for text and bytes for URLs.
// A URL longer than maxExtractedURL is dropped rather than cut.
const (
	maxTitle        = 300
	maxDescription  = 1000
	maxSiteName     = 200
	maxLanguage     = 35
	maxExtractedURL = 2048
)

// page is the metadata extracted from an HTML document.
type page struct {
	title, description, canonicalURL, siteName string
	faviconURL, imageURL, language, charset    string
}

// rawPage collects the first occurrence of every candidate value while the
// document is tokenized; extractPage then picks by preference.
type rawPage struct {
	title     string
	haveTitle bool
	htmlLang  string
	haveLang  bool
	base      string
	meta      map[string]string // lower-case name/property/http-equiv → content
	canonical string
	icon      string
	touchIcon string
}

// metaKeys are the <meta> names and properties worth keeping.
var metaKeys = map[string]bool{
	"og:title": true, "twitter:title": true,
	"og:description": true, "twitter:description": true, "description": true,
	"og:url": true, "og:site_name": true, "application-name": true,
	"og:image": true, "og:image:url": true, "og:image:secure_url": true,
	"twitter:image": true, "twitter:image:src": true,
	"og:locale": true, "content-language": true,
}

// extractPage decodes body (whose declared Content-Type is contentType) to
// UTF-8 and extracts its metadata, resolving URLs against pageURL.
// contentLanguage is the Content-Language response header.
func extractPage(body []byte, contentType, contentLanguage string, pageURL *url.URL) page {
	enc, charsetName := determineEncoding(body, contentType)
	var r io.Reader = bytes.NewReader(body)
	if charsetName != "utf-8" {
		// UTF-8 is read as is: invalid sequences are replaced in cleanText.
		r = transform.NewReader(r, enc.NewDecoder())
	}
	raw := scan(html.NewTokenizer(r))

	base := pageURL
	if b := resolveURL(pageURL, raw.base); b != "" {
		base, _ = url.Parse(b)
	}

	p := page{charset: charsetName}
	p.title = firstText(maxTitle, raw.meta["og:title"], raw.meta["twitter:title"], raw.title)
	p.description = firstText(maxDescription,
		raw.meta["og:description"], raw.meta["twitter:description"], raw.meta["description"])
	p.siteName = firstText(maxSiteName, raw.meta["og:site_name"], raw.meta["application-name"])
	p.canonicalURL = firstURL(base, raw.meta["og:url"], raw.canonical)
	p.imageURL = firstURL(base, raw.meta["og:image"], raw.meta["og:image:url"],
		raw.meta["og:image:secure_url"], raw.meta["twitter:image"], raw.meta["twitter:image:src"])
	p.faviconURL = firstURL(base, raw.icon, raw.touchIcon)
	if p.faviconURL == "" {
		p.faviconURL = (&url.URL{Scheme: pageURL.Scheme, Host: pageURL.Host, Path: "/favicon.ico"}).String()
	}
	for _, l := range []string{raw.htmlLang, contentLanguage, raw.meta["content-language"], raw.meta["og:locale"]} {
		if p.language = languageTag(l); p.language != "" {
			break
		}
	}
	return p
}

// determineEncoding picks the document's encoding as a browser would (BOM,
// Content-Type charset, <meta> prescan of the first 1024 bytes), except that
// an undeclared document that is valid UTF-8 beyond those 1024 bytes is
// taken as UTF-8 rather than windows-1252.
func determineEncoding(body []byte, contentType string) (encoding.Encoding, string) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && name == "windows-1252" && hasHighBit(body) && utf8.Valid(trimPartialRune(body)) {
		enc, name = encoding.Nop, "utf-8"
	}
	return enc, name
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b, as left
// by truncating a body.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// scan tokenizes the whole document and keeps the first occurrence of each
// candidate. Later occurrences never override earlier ones.
func scan(z *html.Tokenizer) rawPage {
	raw := rawPage{meta: make(map[string]string, 8)}
	foreign := 0 // depth inside <svg>/<math>, whose <title> is not the page's
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return raw
		case html.EndTagToken:
			if foreign == 0 {
				continue
			}
			name, _ := z.TagName()
			if a := atom.Lookup(name); a == atom.Svg || a == atom.Math {
				foreign--
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Svg, atom.Math:
				if tt == html.StartTagToken {
					foreign++
				}
			case atom.Title:
				if tt != html.StartTagToken || foreign > 0 || raw.haveTitle {
					continue
				}
				raw.haveTitle = true
				if z.Next() == html.TextToken {
					raw.title = string(z.Text())
				}
			case atom.Html:
				if hasAttr && !raw.haveLang {
					attrs := readAttrs(z)
					raw.htmlLang, raw.haveLang = attrs["lang"], true
					if raw.htmlLang == "" {
						raw.htmlLang = attrs["xml:lang"]
					}
				}
			case atom.Base:
				if hasAttr && raw.base == "" {
					raw.base = readAttrs(z)["href"]
				}
			case atom.Meta:
				if hasAttr {
					raw.addMeta(readAttrs(z))
				}
			case atom.Link:
				if hasAttr {
					raw.addLink(readAttrs(z))
				}
			}
		}
	}
}

// readAttrs returns the current tag's attributes, keys lower-cased by the
// tokenizer, values unescaped; the first of duplicate attributes wins.
func readAttrs(z *html.Tokenizer) map[string]string {
	attrs := make(map[string]string, 4)
	for {
		k, v, more := z.TagAttr()
		if _, dup := attrs[string(k)]; !dup {
			attrs[string(k)] = string(v)
		}
		if !more {
			return attrs
		}
	}
}

func (raw *rawPage) addMeta(attrs map[string]string) {
	content, ok := attrs["content"]
	if !ok {
		return
	}
	// og: tags belong in property=, but name= is common; a tag may carry
	// both (name="twitter:title" property="og:title").
	for _, attr := range []string{"property", "name", "http-equiv"} {
		key := strings.ToLower(strings.TrimSpace(attrs[attr]))
		if !metaKeys[key] {
			continue
		}
		if _, seen := raw.meta[key]; !seen && strings.TrimSpace(content) != "" {
			raw.meta[key] = content
		}
	}
}

func (raw *rawPage) addLink(attrs map[string]string) {
	href := strings.TrimSpace(attrs["href"])
	if href == "" {
		return
	}
	for _, rel := range strings.Fields(strings.ToLower(attrs["rel"])) {
		switch rel {
		case "canonical":
			if raw.canonical == "" {
				raw.canonical = href
			}
		case "icon": // also matches rel="shortcut icon"
			if raw.icon == "" {
				raw.icon = href
			}
		case "apple-touch-icon", "apple-touch-icon-precomposed":
			if raw.touchIcon == "" {
				raw.touchIcon = href
			}
		}
	}
}

// firstText returns the first candidate that is not blank once cleaned.
func firstText(maxRunes int, candidates ...string) string {
	for _, c := range candidates {
		if s := cleanText(c, maxRunes); s != "" {
			return s
		}
	}
	return ""
}

// cleanText makes s valid UTF-8, trims it, collapses runs of whitespace into
// one space and cuts it to maxRunes runes.
func cleanText(s string, maxRunes int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxRunes {
			return strings.TrimRight(s[:i], " ")
		}
		n++
	}
	return s
}

// firstURL returns the first candidate that resolves to a usable URL.
func firstURL(base *url.URL, candidates ...string) string {
	for _, c := range candidates {
		if u := resolveURL(base, c); u != "" {
			return u
		}
	}
	return ""
}

// resolveURL resolves ref against base and returns it if it is an absolute
// http(s) URL with a host and of reasonable length, else "".
func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(r)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	if len(s) > maxExtractedURL || !utf8.ValidString(s) {
		return ""
	}
	return s
}

// languageTag returns the first language in s (an attribute or a
// comma-separated header value) if it looks like a BCP 47 tag; og:locale's
// "en_US" becomes "en-US".
func languageTag(s string) string {
	s, _, _ = strings.Cut(s, ",")
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
	if s == "" || len(s) > maxLanguage {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ""
		}
	}
	return s
}
