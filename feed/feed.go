// Package feed renders a collection's newest items as a web feed, in Atom,
// RSS 2.0 or JSON Feed 1.1 (through github.com/gorilla/feeds), and serves it
// the way feed readers poll: every answer carries an ETag (a hash of what
// the feed says) and Last-Modified, and a reader that sends them back gets
// 304 Not Modified without the feed being rendered.
//
// It decides nothing about access: the HTTP edge authenticates the feed
// token or resolves the public link, reads the items through the domain
// services, and hands them here.
package feed

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/feeds"
)

// DefaultSize is how many of the newest items a feed carries.
const DefaultSize = 50

// Format is a feed format.
type Format string

// The formats a feed is served in.
const (
	Atom Format = "atom"
	RSS  Format = "rss"
	JSON Format = "json"
)

// Formats lists every format, in the order the dashboard offers them.
var Formats = []Format{Atom, RSS, JSON}

// ParseFormat returns the format named s, and false for anything else.
func ParseFormat(s string) (Format, bool) {
	switch f := Format(s); f {
	case Atom, RSS, JSON:
		return f, true
	}
	return "", false
}

// ContentType is the media type of a feed in format f.
func (f Format) ContentType() string {
	switch f {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case RSS:
		return "application/rss+xml; charset=utf-8"
	}
	return "application/feed+json; charset=utf-8"
}

// Feed is what a feed says: the collection and its newest items, newest
// first.
type Feed struct {
	// ID identifies the feed for ever (an urn:uuid of the collection).
	ID    string
	Title string
	// Description is the collection's description (may be empty).
	Description string
	// Link is the page that shows the collection; Self the feed's own URL
	// (both absolute).
	Link, Self string
	// Updated is when the collection itself last changed.
	Updated time.Time
	Entries []Entry
}

// Entry is one item of a feed.
type Entry struct {
	ID    uuid.UUID
	Title string
	// Link is where the item leads: its source URL, else its page.
	Link    string
	Summary string
	Tags    []string
	// Published and Updated are the item's creation and last change.
	Published, Updated time.Time
}

// lastModified is the newest change the feed shows, to the second (HTTP
// dates have no finer precision).
func (f Feed) lastModified() time.Time {
	t := f.Updated
	for _, e := range f.Entries {
		if e.Updated.After(t) {
			t = e.Updated
		}
	}
	return t.UTC().Truncate(time.Second)
}

// ETag is a strong validator of the feed in format: a hash of everything it
// renders, so any change to the collection's name or to one of its newest
// items (or an item added or deleted) changes it, and nothing else does.
func (f Feed) ETag(format Format) string {
	h := sha256.New()
	field := func(s string) {
		_ = binary.Write(h, binary.LittleEndian, uint32(len(s)))
		h.Write([]byte(s))
	}
	stamp := func(t time.Time) { _ = binary.Write(h, binary.LittleEndian, t.UnixMicro()) }
	for _, s := range []string{string(format), f.ID, f.Title, f.Description, f.Link, f.Self} {
		field(s)
	}
	stamp(f.Updated)
	for _, e := range f.Entries {
		h.Write(e.ID[:])
		for _, s := range []string{e.Title, e.Link, e.Summary, strings.Join(e.Tags, "\x00")} {
			field(s)
		}
		stamp(e.Published)
		stamp(e.Updated)
	}
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// Render encodes the feed in format.
func (f Feed) Render(format Format) ([]byte, error) {
	gf := &feeds.Feed{
		Id: f.ID, Title: f.Title, Description: f.Description,
		Link: &feeds.Link{Href: f.Link}, Updated: f.Updated, Created: f.Updated,
	}
	for _, e := range f.Entries {
		gf.Items = append(gf.Items, &feeds.Item{
			Id: "urn:uuid:" + e.ID.String(), Title: e.Title, Link: &feeds.Link{Href: e.Link},
			Description: e.Summary, Created: e.Published, Updated: e.Updated,
		})
	}
	var (
		out string
		err error
	)
	switch format {
	case Atom:
		out, err = feeds.ToXML(&feeds.Atom{Feed: gf})
	case RSS:
		r := (&feeds.Rss{Feed: gf}).RssFeed()
		for i, e := range f.Entries {
			r.Items[i].Guid = &feeds.RssGuid{Id: "urn:uuid:" + e.ID.String(), IsPermaLink: "false"}
			if len(e.Tags) > 0 {
				r.Items[i].Category = strings.Join(e.Tags, ", ")
			}
		}
		out, err = feeds.ToXML(r)
	default:
		j := (&feeds.JSON{Feed: gf}).JSONFeed()
		j.FeedUrl = f.Self
		for i, e := range f.Entries {
			j.Items[i].Tags = e.Tags
		}
		out, err = j.ToJSON()
	}
	if err != nil {
		return nil, fmt.Errorf("render %s feed: %w", format, err)
	}
	return []byte(out), nil
}

// Serve answers a GET or HEAD for the feed in format: 304 when the
// request's If-None-Match names the feed's ETag (or, without
// If-None-Match, when If-Modified-Since is not older than the newest change),
// else the rendered feed. cacheControl is sent on both answers.
func Serve(w http.ResponseWriter, r *http.Request, f Feed, format Format, cacheControl string) error {
	etag, modified := f.ETag(format), f.lastModified()
	h := w.Header()
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept-Encoding")
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body, err := f.Render(format)
	if err != nil {
		return err
	}
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// notModified applies RFC 9110's conditional GET rules: If-None-Match wins
// over If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	since, err := http.ParseTime(ims)
	return err == nil && !modified.After(since)
}
