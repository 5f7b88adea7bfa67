package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas"
)

// UploadCaptureInput is a page as the person saw it, for an item's
// archived copy.
type UploadCaptureInput struct {
	ItemPath
	RawBody []byte `contentType:"text/html" doc:"The page's rendered HTML (the extension serialises the DOM with scripts removed and images and styles inlined where cheap)."`
}

// ItemLookupInput asks which items hold a link.
type ItemLookupInput struct {
	URL string `query:"url" required:"true" maxLength:"2048" doc:"The page's URL; compared by normalised URL, as duplicates are." example:"https://go.dev/ref/mem"`
}

// ItemLookupOutput answers with the items that hold a link.
type ItemLookupOutput struct {
	Body struct {
		// Items hold the link, in collections the caller may read, oldest first (at most 20).
		Items []DuplicateMatch `json:"items"`
	}
}

// captureSuffix ends the path of the capture upload route.
const captureSuffix = "/archive/capture"

// isCaptureUpload reports whether r sends a page for an item's archived
// copy (the one route whose body may be as large as an item's copies).
func isCaptureUpload(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/items/")
	id, found := strings.CutSuffix(rest, captureSuffix)
	return ok && found && r.Method == http.MethodPut && id != "" && !strings.Contains(id, "/")
}

func (s *Server) registerCapture() {
	maxBody := int64(DefaultMaxBodyBytes)
	if s.archive != nil {
		maxBody = s.archive.MaxUploadBytes()
	}
	huma.Register(s.api, huma.Operation{
		OperationID: "upload-item-archive-capture", Method: http.MethodPut, Path: "/api/v1/items/{id}" + captureSuffix,
		Summary: "Store the page as the person sees it as the item's archived copy (owners, editors)", Tags: []string{"Archived copies"},
		Security: secured, MaxBodyBytes: maxBody,
		Description: "For the browser extension: the rendered page, which may be behind a sign-in or built by JavaScript. " +
			"It is sanitised like a copy Atlas captures itself (scripts, event handlers, javascript: URLs, frames and " +
			"refreshes removed), replaces the item's copies, and is preferred over Atlas' own capture of the same URL. " +
			"A page over ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM is refused with 413; a read-only token gets 403.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *UploadCaptureInput) (*ItemArchiveOutput, error) {
		if s.archive == nil {
			if _, err := s.items.Get(ctx, caller(ctx), in.ID); err != nil {
				return nil, s.problem(ctx, err)
			}
			return nil, s.problem(ctx, atlas.Errorf(atlas.ErrUnavailable, "archived copies are off on this server (no ATLAS_ARCHIVE_DIR or ATLAS_ARCHIVE_GCS_BUCKET)"))
		}
		st, err := s.archive.StoreUpload(ctx, caller(ctx), in.ID, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"body", "body"})
		}
		return &ItemArchiveOutput{Body: toItemArchive(st)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "lookup-items-by-url", Method: http.MethodGet, Path: "/api/v1/items/by-url",
		Summary: "The items that hold a link, in the collections you may read", Tags: []string{"Items"}, Security: secured,
		Description: "For the browser extension's \"already saved?\": compared by normalised URL, as duplicates are.",
		Errors:      []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ItemLookupInput) (*ItemLookupOutput, error) {
		found, err := s.items.FindByURL(ctx, caller(ctx), in.URL)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"url", "query.url"})
		}
		out := &ItemLookupOutput{}
		out.Body.Items = toDuplicateMatches(found)
		return out, nil
	})
}
