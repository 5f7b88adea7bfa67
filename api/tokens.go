package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/account"
)

// APIToken is a personal API token as its owner sees it (never the secret).
type APIToken struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name" example:"backup script"`
	Scope      string     `json:"scope" enum:"read,write,feed" doc:"read: reads only; write: reads and writes; feed: reads the feeds of your collections only (atlas_feed_...), nothing of the JSON API."`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at" doc:"When the token stops working; null: never."`
	LastUsedAt *time.Time `json:"last_used_at" doc:"When the token was last used (to the minute); null: never."`
}

func toAPIToken(t account.APIToken) APIToken {
	return APIToken{ID: t.ID, Name: t.Name, Scope: string(t.Scope), CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

// CreateAPITokenInput describes a new API token.
type CreateAPITokenInput struct {
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"100" example:"backup script"`
		Scope     string     `json:"scope" enum:"read,write,feed"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Optional: when the token stops working (must be in the future)."`
	}
}

// NewAPITokenOutput answers with a new token and its secret.
type NewAPITokenOutput struct {
	Body struct {
		APIToken
		Token string `json:"token" doc:"The secret, shown this once: send it as Authorization: Bearer <token>." example:"atlas_pat_..."`
	}
}

// APITokenPath addresses one API token.
type APITokenPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"API token id."`
}

func (s *Server) registerAPITokens() {
	huma.Register(s.api, huma.Operation{
		OperationID: "create-api-token", Method: http.MethodPost, Path: "/api/v1/auth/tokens",
		Summary: "Create a personal API token", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusCreated,
		Description: "For scripts and extensions. The secret (atlas_pat_...) is in the answer only; Atlas keeps a hash. " +
			"A read token gets 403 on every write; no token can create tokens or change the password. " +
			"A feed token (scope feed, atlas_feed_...) goes in feed URLs (?token=) and opens only the feeds of your collections.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *CreateAPITokenInput) (*NewAPITokenOutput, error) {
		tok, secret, err := s.accounts.CreateToken(ctx, principal(ctx), account.CreateTokenParams{
			Name: in.Body.Name, Scope: account.Scope(in.Body.Scope), ExpiresAt: in.Body.ExpiresAt})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &NewAPITokenOutput{}
		out.Body.APIToken, out.Body.Token = toAPIToken(tok), secret
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-api-tokens", Method: http.MethodGet, Path: "/api/v1/auth/tokens",
		Summary: "List your personal API tokens, newest first", Tags: []string{"Auth"}, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, func(ctx context.Context, in *PageParams) (*ListOutput[APIToken], error) {
		rows, next, err := s.accounts.ListTokens(ctx, principal(ctx), in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(rows, next, toAPIToken), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-api-token", Method: http.MethodDelete, Path: "/api/v1/auth/tokens/{id}",
		Summary: "Revoke a personal API token", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *APITokenPath) (*struct{}, error) {
		if err := s.accounts.RevokeToken(ctx, principal(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
