package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/feed"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/search"
)

// Feed routes. They sit outside the JSON API: feed readers send no
// Authorization header and keep no cookie, so a private feed carries a feed
// token in its query (?token=atlas_feed_...) and a public one the public
// link's secret in its path.
const (
	pathCollectionFeed = "/feeds/collections/{id}/{format}"
	pathPublicFeed     = "/feeds/public/{token}/{format}"
	// publicFeedPrefix and publicAPIPrefix are rate-limited per client IP.
	publicFeedPrefix = "/feeds/public/"
	publicAPIPrefix  = "/api/v1/public/"
)

// Cache-Control of feeds: readers and caches must revalidate every time
// (a 304 is cheap), so a revoked token or link stops working at once. A
// private feed may be kept by the reader only, never by a shared cache.
const (
	cachePrivateFeed = "private, no-cache"
	cachePublicFeed  = "public, no-cache"
)

func (s *Server) registerFeeds() {
	s.router.Get(pathCollectionFeed, s.collectionFeed)
	s.router.Get(pathPublicFeed, s.publicFeed)
}

// collectionFeed answers GET /feeds/collections/{id}/{format}?token=...[&q=...]:
// the newest items of a collection the feed token's user may read, or with
// q the newest items matching that search in it (a saved search as a URL).
func (s *Server) collectionFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	format, ok := feed.ParseFormat(chi.URLParam(r, "format"))
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if !ok || err != nil {
		s.writeError(w, r, atlas.Errorf(atlas.ErrNotFound, "no such feed: use /feeds/collections/{id}/atom, rss or json"))
		return
	}
	p, err := s.accounts.AuthenticateFeed(ctx, r.URL.Query().Get("token"))
	if err != nil {
		if errors.Is(err, atlas.ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="atlas-feeds", error="invalid_token"`)
		}
		s.writeError(w, r, err)
		return
	}
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.UserID = p.UserID
	}
	if s.users != nil && s.users.RespondOnLimit(w, r, "user:"+p.UserID.String()) {
		return
	}
	c, err := s.collections.Get(ctx, p.UserID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	base := baseURL(r, s.cookies.secure)
	pageOf := func(id uuid.UUID) string { return base + "/items/" + id.String() }
	f := feed.Feed{ID: "urn:uuid:" + c.ID.String(), Title: c.Name, Description: c.Description, Updated: c.UpdatedAt,
		Link: base + "/collections/" + c.ID.String(), Self: base + r.URL.Path}
	if q != "" {
		f.Title = c.Name + ": " + q
		f.ID += "?q=" + url.QueryEscape(q)
		f.Entries, err = s.searchEntries(ctx, p.UserID, c.ID, q, pageOf)
	} else {
		var items []item.Item
		items, _, err = s.items.List(ctx, p.UserID, c.ID, item.ListParams{Page: cursor.Page{Limit: feed.DefaultSize}})
		f.Entries = entriesOf(items, pageOf)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveFeed(w, r, f, format, cachePrivateFeed)
}

// publicFeed answers GET /feeds/public/{token}/{format}: the newest items of
// the collection a public link publishes. No account, no feed token.
func (s *Server) publicFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	format, ok := feed.ParseFormat(chi.URLParam(r, "format"))
	if !ok {
		s.writeError(w, r, atlas.Errorf(atlas.ErrNotFound, "no such feed: use atom, rss or json"))
		return
	}
	sh, err := s.publicLinks.Resolve(ctx, chi.URLParam(r, "token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, _, err := s.items.ListPublished(ctx, sh.Link.CollectionID, item.ListParams{Page: cursor.Page{Limit: feed.DefaultSize}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base := baseURL(r, s.cookies.secure)
	page := base + "/p/" + chi.URLParam(r, "token")
	f := feed.Feed{ID: "urn:uuid:" + sh.Link.ID.String(), Title: sh.Name, Description: sh.Description, Updated: sh.UpdatedAt,
		Link: page, Self: base + r.URL.Path, Entries: entriesOf(items, func(uuid.UUID) string { return page })}
	if !sh.Link.Indexable {
		w.Header().Set("X-Robots-Tag", "noindex")
	}
	s.serveFeed(w, r, f, format, cachePublicFeed)
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request, f feed.Feed, format feed.Format, cacheControl string) {
	if err := feed.Serve(w, r, f, format, cacheControl); err != nil {
		s.writeError(w, r, err)
	}
}

// searchEntries runs a feed's search in one collection for user (newest
// first) and returns its hits as entries.
func (s *Server) searchEntries(ctx context.Context, user, collectionID uuid.UUID, q string, pageOf func(uuid.UUID) string) ([]feed.Entry, error) {
	if s.search == nil {
		return nil, search.ErrUnavailable
	}
	page, err := s.search.Search(ctx, user, search.Query{Text: q, CollectionID: &collectionID,
		Sort: search.SortCreatedAt, Order: search.OrderDesc, Page: cursor.Page{Limit: feed.DefaultSize}})
	if err != nil {
		return nil, err
	}
	out := make([]feed.Entry, 0, len(page.Hits))
	for _, h := range page.Hits {
		d := h.Document
		link := d.SourceURL
		if link == "" {
			link = pageOf(d.ID)
		}
		out = append(out, feed.Entry{ID: d.ID, Title: d.Title, Link: link, Summary: d.Description, Tags: d.Tags,
			Published: d.CreatedAt, Updated: d.UpdatedAt})
	}
	return out, nil
}

// entriesOf turns items into feed entries; an item without a source URL
// links to pageOf(its id).
func entriesOf(items []item.Item, pageOf func(uuid.UUID) string) []feed.Entry {
	out := make([]feed.Entry, 0, len(items))
	for _, it := range items {
		e := feed.Entry{ID: it.ID, Title: it.Title, Link: pageOf(it.ID), Summary: it.Description, Tags: it.Tags,
			Published: it.CreatedAt, Updated: it.UpdatedAt}
		if it.SourceURL != nil {
			e.Link = *it.SourceURL
		}
		out = append(out, e)
	}
	return out
}

// baseURL is the absolute URL of this server as the request reached it
// (feeds need absolute links): https when the server sends secure cookies
// (production, behind TLS) or the request came over TLS.
func baseURL(r *http.Request, secure bool) string {
	scheme := "http"
	if secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
