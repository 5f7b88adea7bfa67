package archive

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// CopyPolicy is the Content-Security-Policy of an archived copy, both in
// the copy's own <meta> and in the header it is served with: a sandbox
// without allow-scripts (no script runs, no form posts, no top navigation,
// an opaque origin) and nothing loaded from the network, only what the
// copy carries inline.
const CopyPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; media-src data:"

// metaPolicy is CopyPolicy without the sandbox directive, which a <meta>
// policy cannot carry.
const metaPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; media-src data:"

// removedElements are dropped with their content: anything that runs code,
// embeds another document, navigates or submits by itself.
var removedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Noscript: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Base: true,
}

// urlAttributes are the attributes that hold a URL a browser may follow.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "data": true, "poster": true,
	"background": true, "xlink:href": true, "ping": true, "srcset": true, "lowsrc": true, "dynsrc": true,
}

// Sanitize makes an archived page inert: it removes scripts (SVG ones
// too), <noscript>, frames, objects and embeds, <base>, <meta http-equiv>
// refreshes and policies, every inline event handler and every
// javascript:, vbscript: or non-image data: URL, and adds CopyPolicy as a
// <meta>. Serving the copy under CopyPolicy is the second, independent
// line of defence.
func Sanitize(page []byte) ([]byte, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("archive: parse copy: %w", err)
	}
	clean(doc)
	var head *html.Node
	find(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Head {
			head = n
			return true
		}
		return false
	})
	if head != nil {
		meta := &html.Node{Type: html.ElementNode, Data: "meta", DataAtom: atom.Meta, Attr: []html.Attribute{
			{Key: "http-equiv", Val: "Content-Security-Policy"}, {Key: "content", Val: metaPolicy}}}
		head.InsertBefore(meta, head.FirstChild)
		charset := &html.Node{Type: html.ElementNode, Data: "meta", DataAtom: atom.Meta, Attr: []html.Attribute{{Key: "charset", Val: "utf-8"}}}
		head.InsertBefore(charset, head.FirstChild)
	}
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, fmt.Errorf("archive: render copy: %w", err)
	}
	return b.Bytes(), nil
}

// clean removes what Sanitize removes from n's subtree.
func clean(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.CommentNode || c.Type == html.ElementNode && dropped(c) {
			n.RemoveChild(c)
		} else {
			if c.Type == html.ElementNode {
				c.Attr = safeAttributes(c)
			}
			clean(c)
		}
		c = next
	}
}

// dropped reports whether an element goes with its content.
func dropped(n *html.Node) bool {
	if removedElements[n.DataAtom] {
		return true
	}
	switch strings.ToLower(n.Data) {
	case "script", "foreignobject", "portal", "set", "animate", "animatetransform", "animatemotion", "handler", "listener":
		return true // SVG scripts, and SVG animations that can rewrite a link into javascript:
	}
	if n.DataAtom == atom.Meta {
		for _, a := range n.Attr {
			if strings.EqualFold(a.Key, "http-equiv") {
				return true // refresh, set-cookie, a policy of the page's own
			}
			if strings.EqualFold(a.Key, "charset") {
				return true // the copy is UTF-8; Sanitize says so itself
			}
		}
	}
	return false
}

// safeAttributes returns n's attributes without event handlers and
// dangerous URLs.
func safeAttributes(n *html.Node) []html.Attribute {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" {
			key = strings.ToLower(a.Namespace) + ":" + key
		}
		if strings.HasPrefix(strings.ToLower(a.Key), "on") || key == "srcdoc" || key == "formaction" {
			continue
		}
		if (urlAttributes[key] || urlAttributes[strings.ToLower(a.Key)]) && dangerousURL(a.Val, n) {
			continue
		}
		if key == "style" && strings.Contains(strings.ToLower(a.Val), "expression(") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// dangerousURL reports whether v runs code when followed or loaded: a
// javascript: or vbscript: URL, or a data: URL that is not an image, font,
// style sheet or media on an element that loads one.
func dangerousURL(v string, n *html.Node) bool {
	s := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1 // browsers ignore whitespace and controls in a scheme
		}
		return r
	}, v))
	switch {
	case strings.HasPrefix(s, "javascript:"), strings.HasPrefix(s, "vbscript:"):
		return true
	case strings.HasPrefix(s, "data:"):
		if n.DataAtom == atom.A || n.DataAtom == atom.Area || n.DataAtom == atom.Form {
			return true // navigating to a data: document
		}
		for _, ok := range []string{"data:image/", "data:font/", "data:text/css", "data:audio/", "data:video/", "data:application/font", "data:application/x-font"} {
			if strings.HasPrefix(s, ok) {
				return strings.HasPrefix(s, "data:image/svg") && n.DataAtom != atom.Img && n.DataAtom != atom.Link
			}
		}
		return true
	}
	return false
}

// find walks n's subtree depth first until visit returns true.
func find(n *html.Node, visit func(*html.Node) bool) bool {
	if visit(n) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if find(c, visit) {
			return true
		}
	}
	return false
}

// readablePolicy is the allow-list of the readable version: bluemonday's
// policy for user-generated content (text, links, images, lists, tables),
// links opened without a referrer in a new tab.
var readablePolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// SanitizeReadable returns readable HTML with only bluemonday's
// user-content allow-list left: no script, style, handler or frame.
func SanitizeReadable(fragment []byte) []byte {
	return readablePolicy.SanitizeBytes(fragment)
}
