package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/webhook"
)

// WebhookPath addresses one webhook.
type WebhookPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Webhook id."`
}

// WebhookBody registers a webhook.
type WebhookBody struct {
	URL         string   `json:"url" minLength:"8" maxLength:"2048" doc:"Where events are POSTed: https:// (plain http and private addresses only for hosts the operator lists in ATLAS_FETCH_ALLOW); no credentials in it." example:"https://hooks.example.com/atlas"`
	EventTypes  []string `json:"event_types" minItems:"1" maxItems:"50" enum:"ItemCreated,ItemUpdated,ItemDeleted,CollectionCreated,CollectionUpdated,CollectionDeleted,MembershipAdded,MembershipRoleChanged,MembershipRemoved,ImportFinished,InvitationCreated,InvitationAccepted,InvitationRevoked,PublicLinkCreated,PublicLinkRevoked,ItemLinkStatusChanged" doc:"Event types to receive (the catalogue's events about a collection)." example:"[\"ItemCreated\",\"ItemDeleted\"]"`
	Description string   `json:"description,omitempty" maxLength:"500"`
	Enabled     *bool    `json:"enabled,omitempty" doc:"Default true."`
	Ordered     bool     `json:"ordered,omitempty" doc:"Deliver the events of one entity (an item, a collection) in the order they happened: a later event waits while an earlier one is retried. Default false (events are delivered as they come, each retried on its own)."`
}

// CreateCollectionWebhookInput registers a webhook of a collection.
type CreateCollectionWebhookInput struct {
	CollectionPath
	Body WebhookBody
}

// CreateWebhookInput registers a webhook of every collection.
type CreateWebhookInput struct {
	Body WebhookBody
}

// WebhookSecretOutput answers with a webhook and its secret.
type WebhookSecretOutput struct {
	Location string `header:"Location"`
	Body     WebhookWithSecret
}

// WebhookOutput answers with a webhook.
type WebhookOutput struct {
	Body Webhook
}

// ListCollectionWebhooksInput pages a collection's webhooks.
type ListCollectionWebhooksInput struct {
	CollectionPath
	PageParams
}

// UpdateWebhookInput changes a webhook; absent fields stay as they are.
type UpdateWebhookInput struct {
	WebhookPath
	Body struct {
		URL         *string   `json:"url,omitempty" minLength:"8" maxLength:"2048"`
		EventTypes  *[]string `json:"event_types,omitempty" minItems:"1" maxItems:"50" enum:"ItemCreated,ItemUpdated,ItemDeleted,CollectionCreated,CollectionUpdated,CollectionDeleted,MembershipAdded,MembershipRoleChanged,MembershipRemoved,ImportFinished,InvitationCreated,InvitationAccepted,InvitationRevoked,PublicLinkCreated,PublicLinkRevoked,ItemLinkStatusChanged"`
		Description *string   `json:"description,omitempty" maxLength:"500"`
		Enabled     *bool     `json:"enabled,omitempty" doc:"true also clears disabled_reason and the failing streak."`
		Ordered     *bool     `json:"ordered,omitempty" doc:"Deliver each entity's events in order; false lets the deliveries waiting for an earlier one go."`
	}
}

// RotateWebhookSecretInput rotates a webhook's secret.
type RotateWebhookSecretInput struct {
	WebhookPath
	Body struct {
		OverlapSeconds int `json:"overlap_seconds,omitempty" minimum:"0" maximum:"604800" doc:"How long the previous secret keeps signing beside the new one (default 86400, one day)."`
	}
}

// ListWebhookDeliveriesInput pages a webhook's delivery log.
type ListWebhookDeliveriesInput struct {
	WebhookPath
	PageParams
}

// WebhookDeliveryPath addresses one delivery of a webhook.
type WebhookDeliveryPath struct {
	WebhookPath
	DeliveryID uuid.UUID `path:"delivery_id" format:"uuid" doc:"Delivery id."`
}

// WebhookDeliveryOutput answers with a delivery.
type WebhookDeliveryOutput struct {
	Body WebhookDelivery
}

func (b WebhookBody) params(collectionID *uuid.UUID) webhook.CreateParams {
	return webhook.CreateParams{CollectionID: collectionID, URL: b.URL, Description: b.Description, EventTypes: b.EventTypes, Enabled: b.Enabled, Ordered: b.Ordered}
}

func webhookCreated(e webhook.Endpoint, secret string) *WebhookSecretOutput {
	return &WebhookSecretOutput{Location: "/api/v1/webhooks/" + e.ID.String(), Body: WebhookWithSecret{Webhook: toWebhook(e), Secret: secret}}
}

func (s *Server) registerWebhooks() {
	tags := []string{"Webhooks"}
	notFound := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	invalid := append(notFound, http.StatusUnprocessableEntity)
	huma.Register(s.api, huma.Operation{
		OperationID: "create-collection-webhook", Method: http.MethodPost, Path: "/api/v1/collections/{id}/webhooks",
		Summary: "Register a webhook for a collection's events (owners)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated, Errors: invalid,
	}, func(ctx context.Context, in *CreateCollectionWebhookInput) (*WebhookSecretOutput, error) {
		e, secret, err := s.webhooks.Create(ctx, caller(ctx), in.Body.params(&in.ID))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return webhookCreated(e, secret), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-collection-webhooks", Method: http.MethodGet, Path: "/api/v1/collections/{id}/webhooks",
		Summary: "List a collection's webhooks (owners)", Tags: tags, Security: secured, Errors: notFound,
	}, func(ctx context.Context, in *ListCollectionWebhooksInput) (*ListOutput[Webhook], error) {
		es, next, err := s.webhooks.List(ctx, caller(ctx), &in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(es, next, toWebhook), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks",
		Summary: "Register a webhook for every collection's events (administrators)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusCreated, Errors: invalid,
	}, func(ctx context.Context, in *CreateWebhookInput) (*WebhookSecretOutput, error) {
		e, secret, err := s.webhooks.Create(ctx, caller(ctx), in.Body.params(nil))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return webhookCreated(e, secret), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/api/v1/webhooks",
		Summary: "List the webhooks of every collection (administrators)", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *PageParams) (*ListOutput[Webhook], error) {
		es, next, err := s.webhooks.List(ctx, caller(ctx), nil, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(es, next, toWebhook), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}",
		Summary: "Get a webhook", Tags: tags, Security: secured, Errors: notFound,
	}, func(ctx context.Context, in *WebhookPath) (*WebhookOutput, error) {
		e, err := s.webhooks.Get(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &WebhookOutput{Body: toWebhook(e)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/api/v1/webhooks/{id}",
		Summary: "Change, disable or re-enable a webhook", Tags: tags, Security: secured, Errors: invalid,
	}, func(ctx context.Context, in *UpdateWebhookInput) (*WebhookOutput, error) {
		e, err := s.webhooks.Update(ctx, caller(ctx), in.ID, webhook.UpdateParams{URL: in.Body.URL, Description: in.Body.Description,
			EventTypes: in.Body.EventTypes, Enabled: in.Body.Enabled, Ordered: in.Body.Ordered})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &WebhookOutput{Body: toWebhook(e)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/api/v1/webhooks/{id}",
		Summary: "Delete a webhook and its delivery log", Tags: tags, Security: secured,
		DefaultStatus: http.StatusNoContent, Errors: notFound,
	}, func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
		if err := s.webhooks.Delete(ctx, caller(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
	s.registerWebhookActions(tags, notFound)
}

func (s *Server) registerWebhookActions(tags []string, notFound []int) {
	huma.Register(s.api, huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/api/v1/webhooks/{id}/rotate-secret",
		Summary: "Give a webhook a new secret; the old one keeps signing during the overlap", Tags: tags, Security: secured,
		Errors: append(notFound, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *RotateWebhookSecretInput) (*WebhookSecretOutput, error) {
		e, secret, err := s.webhooks.RotateSecret(ctx, caller(ctx), in.ID, time.Duration(in.Body.OverlapSeconds)*time.Second)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{"overlap_seconds", "body.overlap_seconds"})
		}
		return webhookCreated(e, secret), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}/deliveries",
		Summary: "List a webhook's deliveries and their attempts, newest first (kept 30 days)", Tags: tags, Security: secured,
		Errors: append(notFound, http.StatusBadRequest),
	}, func(ctx context.Context, in *ListWebhookDeliveriesInput) (*ListOutput[WebhookDelivery], error) {
		ms, next, err := s.webhooks.Messages(ctx, caller(ctx), in.ID, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(ms, next, toWebhookDelivery), nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "send-webhook-delivery-again", Method: http.MethodPost, Path: "/api/v1/webhooks/{id}/deliveries/{delivery_id}/send-again",
		Summary: "Send a delivery again (same body and webhook-id)", Tags: tags, Security: secured,
		DefaultStatus: http.StatusAccepted, Errors: notFound,
	}, func(ctx context.Context, in *WebhookDeliveryPath) (*WebhookDeliveryOutput, error) {
		m, err := s.webhooks.Redeliver(ctx, caller(ctx), in.ID, in.DeliveryID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &WebhookDeliveryOutput{Body: toWebhookDelivery(m)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "send-webhook-test", Method: http.MethodPost, Path: "/api/v1/webhooks/{id}/test",
		Summary: "Send a WebhookTest event to a webhook", Tags: tags, Security: secured,
		DefaultStatus: http.StatusAccepted, Errors: notFound,
	}, func(ctx context.Context, in *WebhookPath) (*WebhookDeliveryOutput, error) {
		m, err := s.webhooks.SendTest(ctx, caller(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &WebhookDeliveryOutput{Body: toWebhookDelivery(m)}, nil
	})
	documentWebhookPayload(s.api.OpenAPI())
}

// documentWebhookPayload describes the requests Atlas sends to webhooks in
// the OpenAPI 3.1 document's webhooks section.
func documentWebhookPayload(doc *huma.OpenAPI) {
	schema := doc.Components.Schemas.Schema(reflect.TypeFor[WebhookEvent](), true, "WebhookEvent")
	header := func(name, desc string) *huma.Param {
		return &huma.Param{Name: name, In: "header", Required: true, Description: desc, Schema: &huma.Schema{Type: "string"}}
	}
	if doc.Webhooks == nil {
		doc.Webhooks = map[string]*huma.PathItem{}
	}
	doc.Webhooks["event"] = &huma.PathItem{Post: &huma.Operation{
		OperationID: "webhook-event", Tags: []string{"Webhooks"},
		Summary: "A domain event, POSTed to every enabled webhook subscribed to its type",
		Description: "Signed as the Standard Webhooks specification says: verify webhook-signature with the webhook's secret " +
			"(any of its space-separated v1 signatures may match), reject old webhook-timestamps, deduplicate on webhook-id. " +
			"A 2xx answer is a delivery; 410 disables the webhook; anything else, a timeout or a redirect is retried for about a day.",
		Parameters: []*huma.Param{
			header("webhook-id", "The event id (the same on every retry and resend)."),
			header("webhook-timestamp", "Unix seconds when this attempt was signed."),
			header("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>, space-separated when two secrets sign (rotation)."),
		},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}},
		Responses:   map[string]*huma.Response{"2XX": {Description: "Delivered."}, "410": {Description: "Gone: the webhook is disabled."}},
	}}
}
