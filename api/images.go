package api

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/preview"
)

// imagePolicy is the Content-Security-Policy of a served thumbnail: opened
// on its own, it is an image and nothing else.
const imagePolicy = "default-src 'none'; sandbox"

// Cache-Control of a thumbnail: a request naming its current version (the
// v of preview_url and icon_url) may be kept for a year, as that URL never
// names other bytes; any other is revalidated with its ETag.
const (
	imageCacheVersioned = "private, max-age=31536000, immutable"
	imageCacheOther     = "private, no-cache"
)

// ImageInput names an item's thumbnail.
type ImageInput struct {
	ItemPath
	V           string `query:"v" doc:"The version named by the item's preview_url or icon_url; with it, the answer may be cached for a year."`
	IfNoneMatch string `header:"If-None-Match" doc:"An ETag of the thumbnail already held: 304 when it is still current."`
}

// imageURL is where a thumbnail of an item is served, with its version.
func imageURL(itemID uuid.UUID, k preview.Kind, version string) string {
	return "/api/v1/items/" + itemID.String() + "/" + string(k) + "?v=" + version
}

func (s *Server) registerImages() {
	tags := []string{"Archived copies"}
	for _, k := range []preview.Kind{preview.KindPreview, preview.KindIcon} {
		what, format := "preview image (a JPEG made from the page's og:image)", "image/jpeg"
		if k == preview.KindIcon {
			what, format = "site icon (a PNG made from the page's icon)", "image/png"
		}
		huma.Register(s.api, huma.Operation{
			OperationID: "get-item-" + string(k), Method: http.MethodGet, Path: "/api/v1/items/{id}/" + string(k),
			Summary: "An item's " + what + " (members)", Tags: tags, Security: secured,
			Description: "A thumbnail Atlas made itself (the site's bytes are never passed on), served with " +
				"`Content-Type` set by Atlas, `X-Content-Type-Options: nosniff`, an `ETag` and, for the URL the item " +
				"names, `Cache-Control: " + imageCacheVersioned + "`. 404 when the item has none (the item's " +
				"`" + string(k) + "_url` is then absent).",
			Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
			Responses: map[string]*huma.Response{
				"200": {Description: "The thumbnail.", Content: map[string]*huma.MediaType{format: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}},
				"304": {Description: "Not modified: the If-None-Match ETag is current."},
			},
		}, func(ctx context.Context, in *ImageInput) (*huma.StreamResponse, error) {
			if s.archive == nil {
				return nil, s.problem(ctx, atlas.ErrNotFound)
			}
			r, m, err := s.archive.OpenImage(ctx, caller(ctx), in.ID, k)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			etag := `"` + hex.EncodeToString(m.SHA256) + `"`
			cache := imageCacheOther
			if in.V == hex.EncodeToString(m.SHA256[:8]) {
				cache = imageCacheVersioned
			}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				defer r.Close()
				hctx.SetHeader("ETag", etag)
				hctx.SetHeader("Cache-Control", cache)
				hctx.SetHeader("X-Content-Type-Options", "nosniff")
				hctx.SetHeader("Content-Security-Policy", imagePolicy)
				if etagMatches(in.IfNoneMatch, etag) {
					hctx.SetStatus(http.StatusNotModified)
					return
				}
				hctx.SetHeader("Content-Type", m.ContentType)
				hctx.SetHeader("Content-Length", strconv.FormatInt(m.Size, 10))
				if _, err := io.Copy(hctx.BodyWriter(), r); err != nil {
					s.log.WarnContext(ctx, "item image cut short", "item_id", in.ID.String(), "error", err.Error())
				}
			}}, nil
		})
	}
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
