package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/feed"
	"github.com/atlasapp/atlas/publiclink"
)

// PublicLink is a collection's public link as its members see it (never
// the secret).
type PublicLink struct {
	ID        uuid.UUID  `json:"id"`
	CreatedBy *uuid.UUID `json:"created_by" doc:"The owner who published it; null once their account is gone."`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at" doc:"When the link stops working; null: until revoked."`
	Indexable bool       `json:"indexable" doc:"Search engines may index the public page (else it answers X-Robots-Tag: noindex)."`
}

func toPublicLink(l publiclink.Link) PublicLink {
	return PublicLink{ID: l.ID, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt, Indexable: l.Indexable}
}

// CreatePublicLinkInput publishes a collection.
type CreatePublicLinkInput struct {
	CollectionPath
	Body struct {
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Optional: when the link stops working (must be in the future)."`
		Indexable bool       `json:"indexable,omitempty" doc:"Let search engines index the public page (default false: noindex)."`
	}
}

// NewPublicLinkOutput answers with a new public link and its secret.
type NewPublicLinkOutput struct {
	Body struct {
		PublicLink
		Token string `json:"token" doc:"The link's secret, shown this once (Atlas keeps a hash)."`
		Path  string `json:"path" doc:"The public page: /p/{token}." example:"/p/q8J..."`
	}
}

// PublicLinkPath addresses one public link of a collection.
type PublicLinkPath struct {
	ID     uuid.UUID `path:"id" format:"uuid" doc:"Collection id."`
	LinkID uuid.UUID `path:"link_id" format:"uuid" doc:"Public link id."`
}

// ListPublicLinksInput pages a collection's public links.
type ListPublicLinksInput struct {
	CollectionPath
	PageParams
}

func (s *Server) registerPublicLinks() {
	tags := []string{"Public links"}
	huma.Register(s.api, huma.Operation{
		OperationID: "create-public-link", Method: http.MethodPost, Path: "/api/v1/collections/{id}/public-links",
		Summary: "Publish a collection read-only through a public link (owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated,
		Description: "Anyone with the link reads the collection's name, description, items (without notes), tags and search, " +
			"and its feed, without an account; nothing else of the owner's. The secret is in this answer only.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreatePublicLinkInput) (*NewPublicLinkOutput, error) {
		l, secret, err := s.publicLinks.Create(ctx, caller(ctx), in.ID, publiclink.CreateParams{
			ExpiresAt: in.Body.ExpiresAt, Indexable: in.Body.Indexable})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &NewPublicLinkOutput{}
		out.Body.PublicLink, out.Body.Token, out.Body.Path = toPublicLink(l), secret, "/p/"+secret
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-public-links", Method: http.MethodGet, Path: "/api/v1/collections/{id}/public-links",
		Summary: "List a collection's public links, newest first", Tags: tags, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ListPublicLinksInput) (*ListOutput[PublicLink], error) {
		rows, next, err := s.publicLinks.List(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(rows, next, toPublicLink), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-public-link", Method: http.MethodDelete, Path: "/api/v1/collections/{id}/public-links/{link_id}",
		Summary: "Revoke a public link (owners): it stops working at once", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *PublicLinkPath) (*struct{}, error) {
		if err := s.publicLinks.Revoke(ctx, caller(ctx), in.ID, in.LinkID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
	s.registerPublicReads()
}

// feedPaths are the feed URLs of a public link, by format.
func feedPaths(secret string) map[string]string {
	out := make(map[string]string, len(feed.Formats))
	for _, f := range feed.Formats {
		out[string(f)] = "/feeds/public/" + secret + "/" + string(f)
	}
	return out
}
