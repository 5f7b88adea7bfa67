package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas/item"
)

// LinkHealth is the link checker's view of an item's source_url.
type LinkHealth struct {
	Status     string     `json:"status" enum:"unknown,ok,moved,gone,server_error,unreachable" doc:"unknown: not checked yet; ok: the page answers; moved: it redirects permanently to moved_to; gone: 404/410 on two checks a day apart; server_error: an error other than not found; unreachable: no answer, a redirect loop, or a redirect to an address Atlas may not fetch. A status changes only once confirmed by a second check."`
	HTTPStatus *int       `json:"http_status" doc:"The HTTP status of the check that set status; null for no answer."`
	MovedTo    *string    `json:"moved_to" doc:"The URL a moved link now redirects to: offer it as the new source_url." example:"https://go.dev/ref/mem"`
	Soft404    bool       `json:"soft_404" doc:"The page answers 200 but reads like \"not found\" (recorded; status stays ok)."`
	Detail     string     `json:"detail" doc:"What went wrong, for people." example:"no answer within 10s"`
	CheckedAt  *time.Time `json:"checked_at" doc:"The latest check; null before the first."`
	ChangedAt  *time.Time `json:"changed_at" doc:"When status was last confirmed."`
}

func toLinkHealth(l *item.LinkHealth) LinkHealth {
	if l == nil {
		return LinkHealth{Status: string(item.LinkUnknown)}
	}
	out := LinkHealth{Status: string(l.Status), HTTPStatus: l.HTTPStatus, MovedTo: l.MovedTo, Soft404: l.Soft404,
		Detail: l.Detail, CheckedAt: l.CheckedAt, ChangedAt: l.ChangedAt}
	if out.CheckedAt != nil {
		at := out.CheckedAt.UTC()
		out.CheckedAt = &at
	}
	if out.ChangedAt != nil {
		at := out.ChangedAt.UTC()
		out.ChangedAt = &at
	}
	return out
}

// LinkCheck is one check of an item's link.
type LinkCheck struct {
	CheckedAt  time.Time `json:"checked_at"`
	Status     string    `json:"status" enum:"ok,moved,gone,server_error,unreachable" doc:"What this check saw (not yet confirmed, perhaps)."`
	HTTPStatus *int      `json:"http_status"`
	Detail     string    `json:"detail"`
}

// LinkHistoryOutput lists an item's latest link checks.
type LinkHistoryOutput struct {
	Body struct {
		Items []LinkCheck `json:"items" doc:"The latest checks (at most 10), newest first."`
	}
}

// UseMovedURLInput adopts a moved link's new address.
type UseMovedURLInput struct {
	ItemPath
	Body struct {
		Version int64 `json:"version" minimum:"1" doc:"The item's version the caller read; refused (409) if it changed since."`
	}
}

func (s *Server) registerLinks() {
	huma.Register(s.api, huma.Operation{
		OperationID: "use-moved-url", Method: http.MethodPost, Path: "/api/v1/items/{id}/use-moved-url",
		Summary:     "Make a moved link's new address the item's URL (owners, editors)",
		Description: "Sets source_url to the link's moved_to, as the link checker confirmed it. 409 when the link is not moved or the item changed since version.",
		Tags:        []string{"Items"}, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *UseMovedURLInput) (*ItemOutput, error) {
		it, err := s.items.UseMovedURL(ctx, caller(ctx), in.ID, in.Body.Version)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ItemOutput{Body: toItem(it)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-item-link-checks", Method: http.MethodGet, Path: "/api/v1/items/{id}/link-checks",
		Summary: "List the latest checks of an item's link", Tags: []string{"Items"}, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *ItemPath) (*LinkHistoryOutput, error) {
		checks, err := s.items.LinkHistory(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &LinkHistoryOutput{}
		out.Body.Items = make([]LinkCheck, 0, len(checks))
		for _, c := range checks {
			out.Body.Items = append(out.Body.Items, LinkCheck{CheckedAt: c.CheckedAt, Status: string(c.Status), HTTPStatus: c.HTTPStatus, Detail: c.Detail})
		}
		return out, nil
	})
}
