package item

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
)

// Item is one entry of a collection.
type Item struct {
	ID           uuid.UUID
	CollectionID uuid.UUID
	Title        string
	SourceURL    *string
	Description  string
	Notes        string
	Tags         []string
	// Metadata is what enrichment learned about SourceURL (a JSON object).
	Metadata  json.RawMessage
	CreatedBy *uuid.UUID
	// Version increases by one on every change.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// IndexedVersion is the version the search index last acknowledged
	// (0: not indexed yet); the indexer records it.
	IndexedVersion int64
	// PageText summarises the text ENRICH_URL extracted from SourceURL;
	// nil when there is none for the current URL (not fetched yet, or the
	// URL changed since).
	PageText *PageTextSummary
	// Link is what the link checker knows of SourceURL; nil when it has
	// not checked the current URL yet.
	Link *LinkHealth
	// Duplicates are the other items, in collections the creator may read,
	// that hold the same link (normalised URL); set by Create only.
	Duplicates []Duplicate
	// Enrichment is the state of the item's latest ENRICH_URL job: none,
	// enriching, done or failed (read with the item).
	Enrichment string
	// PreviewImage and IconImage are the versions of the thumbnails of the
	// page's preview image and site icon that the archive package stored
	// (the first 8 bytes of their SHA-256 in hex), "" when there is none.
	PreviewImage, IconImage string
}

// IndexPending reports whether the search index has not caught up with
// this version of the item yet (search results may miss or show an older
// state of it for a moment).
func (it Item) IndexPending() bool { return it.IndexedVersion < it.Version }

// Limits on item fields.
const (
	MaxTitleLen       = 500
	MaxDescriptionLen = 5000
	MaxNotesLen       = 20000
	MaxURLLen         = 2048
	MaxTagLen         = 64
	MaxTags           = 50
)

// NormalizeTags trims, lower-cases and de-duplicates tag names, dropping
// empty ones, and returns them sorted. Over-long tags, control characters or
// too many tags are atlas.ErrInvalid.
func NormalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLen {
			return nil, atlas.Invalid("tags", "each tag must be at most %d characters", MaxTagLen)
		}
		if strings.IndexFunc(t, unicode.IsControl) >= 0 {
			return nil, atlas.Invalid("tags", "tags must not contain control characters")
		}
		out = append(out, t)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxTags {
		return nil, atlas.Invalid("tags", "an item can have at most %d tags", MaxTags)
	}
	return out, nil
}

// NormalizeURL checks an optional source URL: empty means none; otherwise it
// must be an absolute http or https URL with a host.
func NormalizeURL(raw string) (*string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	if len(raw) > MaxURLLen {
		return nil, atlas.Invalid("source_url", "must be at most %d characters", MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, atlas.Invalid("source_url", "must be an absolute http:// or https:// URL")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	s := u.String()
	return &s, nil
}

func normalizeTitle(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > MaxTitleLen {
		return "", atlas.Invalid("title", "must be between 1 and %d characters", MaxTitleLen)
	}
	return s, nil
}

func checkLen(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", atlas.Invalid(field, "must be at most %d characters", max)
	}
	return s, nil
}
