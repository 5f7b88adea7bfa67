package api

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/archive"
)

// ItemArchive is an item's archived copies and its latest archiving attempt.
type ItemArchive struct {
	ItemID uuid.UUID `json:"item_id"`
	// Status is the latest attempt: archived, failed, or none (never
	// archived, or archiving is off).
	Status string `json:"status" enum:"archived,failed,none"`
	// Code and Reason say why the latest attempt failed.
	Code   string `json:"code,omitempty" enum:"too_large,timeout,blocked,not_html,unavailable" doc:"Why the latest attempt failed."`
	Reason string `json:"reason,omitempty" example:"the page and its resources are larger than the limit of 20 MiB per item"`
	// SourceURL is the URL that was archived.
	SourceURL string `json:"source_url,omitempty"`
	// BlockedResources counts resources of the page on addresses Atlas may not fetch.
	BlockedResources int `json:"blocked_resources"`
	// CapturedBy says who made the copies: server (Atlas fetched the page) or browser (the extension sent it as the person saw it; preferred).
	CapturedBy  string     `json:"captured_by,omitempty" enum:"server,browser"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	// Copies are the stored copies (those of the latest successful attempt).
	Copies []ArchiveCopy `json:"copies"`
}

// ArchiveCopy is one stored copy of a page.
type ArchiveCopy struct {
	Kind string `json:"kind" enum:"html,readable" doc:"html: the self-contained page; readable: the sanitised readable version."`
	// URL serves the copy to the item's readers.
	URL         string    `json:"url" example:"/api/v1/items/0190c3a0-6c4e-7b0a-9c1e-2f6d4b8a9e01/archive/html"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// ItemArchiveOutput answers with an item's archive.
type ItemArchiveOutput struct {
	Body ItemArchive
}

// ArchiveCopyInput names one copy of an item.
type ArchiveCopyInput struct {
	ItemPath
	Kind string `path:"kind" enum:"html,readable" doc:"Which copy."`
}

// CollectionArchiveUsage is the storage a collection's archived copies take.
type CollectionArchiveUsage struct {
	CollectionID uuid.UUID `json:"collection_id"`
	// ArchiveBytes is the size of every stored copy of the collection's items.
	ArchiveBytes int64 `json:"archive_bytes"`
}

// CollectionArchiveUsageOutput answers with a collection's archive usage.
type CollectionArchiveUsageOutput struct {
	Body CollectionArchiveUsage
}

func toItemArchive(st archive.Status) ItemArchive {
	out := ItemArchive{ItemID: st.ItemID, Status: st.State, Code: string(st.Code), Reason: st.Reason, SourceURL: st.SourceURL,
		BlockedResources: st.BlockedResources, CapturedBy: st.CapturedBy, Copies: []ArchiveCopy{}}
	if !st.AttemptedAt.IsZero() {
		at := st.AttemptedAt
		out.AttemptedAt = &at
	}
	for _, c := range st.Copies {
		out.Copies = append(out.Copies, ArchiveCopy{Kind: string(c.Kind), URL: "/api/v1/items/" + st.ItemID.String() + "/archive/" + string(c.Kind),
			ContentType: c.ContentType, SizeBytes: c.Size, SHA256: hex.EncodeToString(c.SHA256), CreatedAt: c.CreatedAt})
	}
	return out
}

func (s *Server) registerArchives() {
	tags := []string{"Archived copies"}
	huma.Register(s.api, huma.Operation{
		OperationID: "get-item-archive", Method: http.MethodGet, Path: "/api/v1/items/{id}/archive",
		Summary: "An item's archived copies and its latest archiving attempt (members)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ItemPath) (*ItemArchiveOutput, error) {
		if s.archive == nil {
			if _, err := s.items.Get(ctx, caller(ctx), in.ID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &ItemArchiveOutput{Body: ItemArchive{ItemID: in.ID, Status: archive.StateNone, Copies: []ArchiveCopy{}}}, nil
		}
		st, err := s.archive.Get(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemArchiveOutput{Body: toItemArchive(st)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-item-archive-copy", Method: http.MethodGet, Path: "/api/v1/items/{id}/archive/{kind}",
		Summary: "One archived copy of an item, served inert (members)", Tags: tags, Security: secured,
		Description: "The copy is served with `Content-Security-Policy: " + archive.CopyPolicy + "` and " +
			"`X-Content-Type-Options: nosniff`: no script in it runs and it loads nothing from the network.",
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The copy (HTML).", Content: map[string]*huma.MediaType{
			"text/html": {Schema: &huma.Schema{Type: huma.TypeString}}}}},
	}, func(ctx context.Context, in *ArchiveCopyInput) (*huma.StreamResponse, error) {
		if s.archive == nil {
			return nil, s.problem(ctx, atlas.ErrNotFound)
		}
		r, c, err := s.archive.Open(ctx, caller(ctx), in.ID, archive.Kind(in.Kind))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			defer r.Close()
			hctx.SetHeader("Content-Type", c.ContentType)
			hctx.SetHeader("Content-Length", strconv.FormatInt(c.Size, 10))
			hctx.SetHeader("Content-Security-Policy", archive.CopyPolicy)
			hctx.SetHeader("X-Content-Type-Options", "nosniff")
			hctx.SetHeader("Cache-Control", "private, no-cache")
			hctx.SetHeader("ETag", `"`+hex.EncodeToString(c.SHA256)+`"`)
			if _, err := io.Copy(hctx.BodyWriter(), r); err != nil {
				s.log.WarnContext(ctx, "archived copy cut short", "item_id", in.ID.String(), "error", err.Error())
			}
		}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-collection-archive-usage", Method: http.MethodGet, Path: "/api/v1/collections/{id}/archive-usage",
		Summary: "The storage the archived copies of a collection's items take (members)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *CollectionPath) (*CollectionArchiveUsageOutput, error) {
		if s.archive == nil {
			if _, err := s.collections.Get(ctx, caller(ctx), in.ID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return &CollectionArchiveUsageOutput{Body: CollectionArchiveUsage{CollectionID: in.ID}}, nil
		}
		n, err := s.archive.Usage(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &CollectionArchiveUsageOutput{Body: CollectionArchiveUsage{CollectionID: in.ID, ArchiveBytes: n}}, nil
	})
}
