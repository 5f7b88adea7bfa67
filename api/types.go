package api

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/preview"
)

// PageParams are the pagination query parameters of every list.
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Page size."`
	Cursor string `query:"cursor" maxLength:"2048" doc:"Opaque cursor from the previous page's next_cursor."`
}

func (p PageParams) page() cursor.Page {
	if p.Limit == 0 {
		p.Limit = 20
	}
	return cursor.Page{Limit: p.Limit, After: p.Cursor}
}

// ListBody is the shape of every list response.
type ListBody[T any] struct {
	Items      []T     `json:"items" doc:"This page's entries."`
	NextCursor *string `json:"next_cursor" doc:"Cursor of the next page; null on the last page."`
}

// ListOutput wraps a list body.
type ListOutput[T any] struct {
	Body ListBody[T]
}

func listOf[T, D any](rows []D, next string, conv func(D) T) *ListOutput[T] {
	out := &ListOutput[T]{Body: ListBody[T]{Items: make([]T, 0, len(rows))}}
	for _, r := range rows {
		out.Body.Items = append(out.Body.Items, conv(r))
	}
	if next != "" {
		out.Body.NextCursor = &next
	}
	return out
}

// User is an account as the API shows it.
type User struct {
	ID          uuid.UUID `json:"id" doc:"User id."`
	Email       string    `json:"email" format:"email" example:"ada@example.com"`
	DisplayName string    `json:"display_name" example:"Ada Lovelace"`
	CreatedAt   time.Time `json:"created_at"`
}

func toUser(u account.User) User {
	return User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CreatedAt: u.CreatedAt}
}

// Collection is a collection as its members see it.
type Collection struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name" example:"Reading list"`
	Description string    `json:"description"`
	Role        string    `json:"role" enum:"owner,editor,viewer" doc:"The caller's role in this collection."`
	// Permissions carries the policy's decisions so clients need not copy the policy.
	Permissions Permissions `json:"permissions" doc:"What the caller's role allows in this collection, as the server decides it."`
	CreatedBy   *uuid.UUID  `json:"created_by" doc:"Creator's user id; null if that account is gone."`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// Permissions says what the caller may do in a collection.
type Permissions struct {
	Read       bool `json:"read" doc:"See the collection, its items, tags, members, jobs and audit trail."`
	WriteItems bool `json:"write_items" doc:"Create, edit and delete items, import them and start their jobs."`
	Manage     bool `json:"manage" doc:"Rename or delete the collection and manage its members."`
}

func toCollection(c collection.Collection) Collection {
	p := collection.PermissionsOf(c.Role)
	return Collection{ID: c.ID, Name: c.Name, Description: c.Description, Role: string(c.Role),
		Permissions: Permissions{Read: p.Read, WriteItems: p.WriteItems, Manage: p.Manage},
		CreatedBy:   c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Member is a user's or a team's membership of a collection.
type Member struct {
	Kind        string     `json:"kind" enum:"user,team" doc:"user: a person; team: a team, whose members each have its role (or their own, if higher)."`
	UserID      *uuid.UUID `json:"user_id" nullable:"true" doc:"The member user's id; null for a team."`
	Email       string     `json:"email" doc:"The user's email; empty for a team."`
	DisplayName string     `json:"display_name" doc:"The user's name; empty for a team."`
	TeamID      *uuid.UUID `json:"team_id" nullable:"true" doc:"The member team's id; null for a user."`
	TeamName    string     `json:"team_name" doc:"The team's name; empty for a user." example:"Platform"`
	Role        string     `json:"role" enum:"owner,editor,viewer"`
	JoinedAt    time.Time  `json:"joined_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Kinds of member.
const (
	memberUser = "user"
	memberTeam = "team"
)

func toMember(m collection.Member) Member {
	out := Member{Kind: memberUser, Email: m.Email, DisplayName: m.DisplayName, TeamName: m.TeamName, Role: string(m.Role),
		JoinedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.IsTeam() {
		out.Kind, out.TeamID = memberTeam, &m.TeamID
	} else {
		out.UserID = &m.UserID
	}
	return out
}

// Item is an entry of a collection.
type Item struct {
	ID           uuid.UUID        `json:"id"`
	CollectionID uuid.UUID        `json:"collection_id"`
	Title        string           `json:"title" example:"The Go Memory Model"`
	SourceURL    *string          `json:"source_url" doc:"The item's URL, if any." example:"https://go.dev/ref/mem"`
	Description  string           `json:"description"`
	Notes        string           `json:"notes"`
	Tags         []string         `json:"tags" doc:"Normalised tag names, sorted." example:"[\"go\",\"concurrency\"]"`
	MetadataJSON map[string]any   `json:"metadata_json" doc:"What enrichment learned about source_url (title, description, site name, ...)."`
	CreatedBy    *uuid.UUID       `json:"created_by"`
	Version      int64            `json:"version" doc:"Increases by one on every change."`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	IndexStatus  string           `json:"index_status" enum:"pending,indexed" doc:"Whether search has caught up with this version of the item: pending for a moment after each change (search may miss it or show its previous state), then indexed."`
	PageText     PageText         `json:"page_text" doc:"Whether the readable text of the page behind source_url is captured (and searchable)."`
	Enrichment   string           `json:"enrichment" enum:"none,enriching,done,failed" doc:"Fetching the link's details: enriching while its ENRICH_URL job waits, retries or runs; done; failed (for good: see the job's reason); none without a job."`
	Link         LinkHealth       `json:"link" doc:"What the link checker knows of source_url."`
	PreviewURL   string           `json:"preview_url,omitempty" doc:"Where Atlas serves its thumbnail of the page's preview image (og:image), to the item's readers; absent when there is none. Fetched once by the worker, never hot-linked." example:"/api/v1/items/0190c3a0-6c4e-7b0a-9c1e-2f6d4b8a9e01/preview?v=3f2a9c1e0b7d4e65"`
	IconURL      string           `json:"icon_url,omitempty" doc:"Where Atlas serves its thumbnail of the site's icon; absent when there is none." example:"/api/v1/items/0190c3a0-6c4e-7b0a-9c1e-2f6d4b8a9e01/icon?v=9e8d7c6b5a493827"`
	Duplicates   []DuplicateMatch `json:"duplicates,omitempty" doc:"Create only: other items with the same link (normalised URL) in collections the caller can read, oldest first (at most 20)."`
}

// PageText summarises the page text ENRICH_URL captured for an item's current source_url.
type PageText struct {
	Status      string     `json:"status" enum:"none,captured,skipped" doc:"none: not fetched yet (or the URL changed since); captured: the text is stored and searched; skipped: the page has no text Atlas reads (see skip_reason)."`
	SizeBytes   int        `json:"size_bytes" doc:"Size of the captured text in bytes of UTF-8 (at most 524288)." example:"18234"`
	Truncated   bool       `json:"truncated" doc:"The page had more text than the 512 KiB kept."`
	Language    string     `json:"language" doc:"The page's language tag, if known." example:"en"`
	SkipReason  string     `json:"skip_reason" doc:"Why no text was captured (skipped only)." example:"image/png is not a supported content type (HTML, plain text and PDF are)"`
	ExtractedAt *time.Time `json:"extracted_at" doc:"When the text was extracted; null for none."`
}

func toPageText(p *item.PageTextSummary) PageText {
	if p == nil {
		return PageText{Status: "none"}
	}
	at := p.ExtractedAt.UTC()
	return PageText{Status: p.Status, SizeBytes: p.SizeBytes, Truncated: p.Truncated, Language: p.Language,
		SkipReason: p.SkipReason, ExtractedAt: &at}
}

// Index statuses of an item.
const (
	indexPending = "pending"
	indexIndexed = "indexed"
)

func toItem(it item.Item) Item {
	meta := map[string]any{}
	_ = json.Unmarshal(it.Metadata, &meta)
	tags := it.Tags
	if tags == nil {
		tags = []string{}
	}
	out := Item{ID: it.ID, CollectionID: it.CollectionID, Title: it.Title, SourceURL: it.SourceURL,
		Description: it.Description, Notes: it.Notes, Tags: tags, MetadataJSON: meta, CreatedBy: it.CreatedBy,
		Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, IndexStatus: indexIndexed,
		PageText: toPageText(it.PageText), Link: toLinkHealth(it.Link), Enrichment: it.Enrichment}
	if out.Enrichment == "" {
		out.Enrichment = "none"
	}
	if it.Duplicates != nil {
		out.Duplicates = toDuplicateMatches(it.Duplicates)
	}
	if it.IndexPending() {
		out.IndexStatus = indexPending
	}
	if it.PreviewImage != "" {
		out.PreviewURL = imageURL(it.ID, preview.KindPreview, it.PreviewImage)
	}
	if it.IconImage != "" {
		out.IconURL = imageURL(it.ID, preview.KindIcon, it.IconImage)
	}
	return out
}

// Tag is a tag in use in a collection.
type Tag struct {
	Name      string `json:"name" example:"golang"`
	ItemCount int    `json:"item_count" doc:"How many items carry the tag."`
}

func toTag(t item.Tag) Tag { return Tag{Name: t.Name, ItemCount: t.ItemCount} }
