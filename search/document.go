package search

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/item"
)

// Document is the searchable form of an item, as stored in the index. The indexer builds it from the
// item read back from Postgres.
type Document struct {
	// ID is the item's id; it is also the Elasticsearch document id.
	ID uuid.UUID `json:"id"`
	// CollectionID is the collection the item belongs to; searches filter on it for access control.
	CollectionID uuid.UUID `json:"collection_id"`
	// Title is the item's title.
	Title string `json:"title"`
	// Description is the item's description.
	Description string `json:"description,omitempty"`
	// Notes are the item's free-form notes.
	Notes string `json:"notes,omitempty"`
	// SourceURL is the link the item points to, if any.
	SourceURL string `json:"source_url,omitempty"`
	// Tags are the item's tags; the index lowercases them for filtering.
	Tags []string `json:"tags"`
	// Metadata holds what enrichment learnt about the source URL.
	Metadata Metadata `json:"metadata"`
	// Content is the readable text of the page behind SourceURL (see item.PageText), searched and
	// highlighted but left out of search hits; empty when none was captured.
	Content string `json:"content,omitempty"`
	// CreatedBy is the id of the user who created the item.
	CreatedBy uuid.UUID `json:"created_by"`
	// CreatedAt is when the item was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the item was last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the item's monotonically increasing version, used as the external document version.
	Version int64 `json:"version"`
	// LinkStatus is what the link checker confirmed about SourceURL (item.LinkStatus; "unknown"
	// until the first check), for the status: filter.
	LinkStatus string `json:"link_status"`
}

// Metadata is the page metadata fetched by URL enrichment.
type Metadata struct {
	// Title is the page's title.
	Title string `json:"title,omitempty"`
	// Description is the page's description.
	Description string `json:"description,omitempty"`
	// SiteName is the name of the site the page belongs to.
	SiteName string `json:"site_name,omitempty"`
	// CanonicalURL is the page's canonical URL.
	CanonicalURL string `json:"canonical_url,omitempty"`
	// Language is the page's language tag, such as "en".
	Language string `json:"language,omitempty"`
}

// DocumentFromItem returns the searchable form of an item as Postgres holds it. Metadata keys
// other than the known ones, and values that are not strings, are left out: the mapping is
// strict, and enrichment may learn more than search needs.
func DocumentFromItem(it item.Item) Document {
	d := Document{
		ID:           it.ID,
		CollectionID: it.CollectionID,
		Title:        it.Title,
		Description:  it.Description,
		Notes:        it.Notes,
		Tags:         it.Tags,
		Metadata:     metadataFrom(it.Metadata),
		CreatedAt:    it.CreatedAt.UTC(),
		UpdatedAt:    it.UpdatedAt.UTC(),
		Version:      it.Version,
		LinkStatus:   string(item.LinkUnknown),
	}
	if it.Link != nil {
		d.LinkStatus = string(it.Link.Status)
	}
	if it.SourceURL != nil {
		d.SourceURL = *it.SourceURL
	}
	if it.CreatedBy != nil {
		d.CreatedBy = *it.CreatedBy
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	return d
}

// metadataFrom picks the known string fields out of an item's metadata object; anything it cannot
// read counts as absent.
func metadataFrom(raw json.RawMessage) Metadata {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return Metadata{}
	}
	str := func(key string) string {
		s, _ := m[key].(string)
		return strings.TrimSpace(s)
	}
	return Metadata{
		Title:        str("title"),
		Description:  str("description"),
		SiteName:     str("site_name"),
		CanonicalURL: str("canonical_url"),
		Language:     str("language"),
	}
}
