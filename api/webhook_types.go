package api

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/webhook"
)

// Webhook is a registered endpoint as the API shows it (never its secret).
type Webhook struct {
	ID           uuid.UUID  `json:"id" doc:"Webhook id."`
	CollectionID *uuid.UUID `json:"collection_id" doc:"The collection whose events it receives; null: every collection (an administrator's webhook)."`
	OwnerID      uuid.UUID  `json:"owner_id" doc:"Who registered it; events stop when they may no longer manage the collection."`
	URL          string     `json:"url" example:"https://hooks.example.com/atlas"`
	Description  string     `json:"description"`
	EventTypes   []string   `json:"event_types" enum:"ItemCreated,ItemUpdated,ItemDeleted,CollectionCreated,CollectionUpdated,CollectionDeleted,MembershipAdded,MembershipRoleChanged,MembershipRemoved,ImportFinished,InvitationCreated,InvitationAccepted,InvitationRevoked,PublicLinkCreated,PublicLinkRevoked,ItemLinkStatusChanged" doc:"The event types it receives."`
	Enabled      bool       `json:"enabled"`
	Ordered      bool       `json:"ordered" doc:"Each entity's events are delivered in the order they happened (a later one waits while an earlier one is retried)."`
	// DisabledReason is set when Atlas turned it off.
	DisabledReason *string    `json:"disabled_reason" doc:"Why Atlas disabled it (the receiver answered 410 Gone, or failed for a day); null otherwise. Enable it again once the receiver is fixed."`
	FailingSince   *time.Time `json:"failing_since" doc:"First failed attempt since the last success; null while healthy."`
	// PreviousSecretExpiresAt is set during a secret rotation's overlap.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at" doc:"Until when the previous secret still signs (two signatures are sent); null outside a rotation."`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

func toWebhook(e webhook.Endpoint) Webhook {
	out := Webhook{ID: e.ID, CollectionID: e.CollectionID, OwnerID: e.OwnerID, URL: e.URL, Description: e.Description,
		EventTypes: make([]string, len(e.EventTypes)), Enabled: e.Enabled, Ordered: e.Ordered, FailingSince: e.FailingSince,
		PreviousSecretExpiresAt: e.PreviousSecretExpiresAt, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	for i, t := range e.EventTypes {
		out.EventTypes[i] = string(t)
	}
	if e.DisabledReason != "" {
		out.DisabledReason = &e.DisabledReason
	}
	return out
}

// WebhookWithSecret is a webhook with its signing secret, answered once.
type WebhookWithSecret struct {
	Webhook
	Secret string `json:"secret" doc:"The signing secret (whsec_...). Shown only now: store it in the receiver to verify webhook-signature." example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
}

// WebhookDelivery is one event sent (or being sent) to a webhook, with its
// attempts.
type WebhookDelivery struct {
	ID        uuid.UUID `json:"id" doc:"Delivery id (send it again with POST .../deliveries/{delivery_id}/send-again)."`
	EventID   uuid.UUID `json:"event_id" doc:"The event id: the webhook-id header."`
	EventType string    `json:"event_type" example:"ItemCreated"`
	Status    string    `json:"status" enum:"pending,delivered,failed" doc:"pending (an attempt is due or under way), delivered (a 2xx answer), failed (given up; reason says why)."`
	Reason    *string   `json:"reason" doc:"Why it failed; null otherwise."`
	// Payload is the body sent.
	Payload   json.RawMessage          `json:"payload" doc:"The body sent: the event envelope."`
	Attempts  []WebhookDeliveryAttempt `json:"attempts" doc:"Attempts, oldest first."`
	CreatedAt time.Time                `json:"created_at"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// WebhookDeliveryAttempt is one logged attempt.
type WebhookDeliveryAttempt struct {
	Outcome         string    `json:"outcome" enum:"delivered,failed,gone,refused" doc:"delivered (2xx), failed (other answer, timeout, connection error), gone (410: the webhook was disabled), refused (not sent: the address is refused by the SSRF guard)."`
	StatusCode      *int      `json:"status_code" doc:"The receiver's HTTP status; null when there was no answer."`
	LatencyMS       int64     `json:"latency_ms"`
	ResponseExcerpt string    `json:"response_excerpt" doc:"The first bytes (at most 1 KiB) of the answer's body."`
	Error           *string   `json:"error" doc:"What went wrong without an answer, or with a redirect."`
	At              time.Time `json:"at"`
}

func toWebhookDelivery(m webhook.Message) WebhookDelivery {
	out := WebhookDelivery{ID: m.ID, EventID: m.EventID, EventType: string(m.EventType), Status: string(m.Status),
		Payload: json.RawMessage(m.Payload), Attempts: make([]WebhookDeliveryAttempt, len(m.Attempts)), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if !json.Valid(m.Payload) {
		out.Payload = json.RawMessage("null")
	}
	if m.Reason != "" {
		out.Reason = &m.Reason
	}
	for i, a := range m.Attempts {
		out.Attempts[i] = WebhookDeliveryAttempt{Outcome: string(a.Outcome), StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(),
			ResponseExcerpt: a.ResponseExcerpt, At: a.At}
		if a.Error != "" {
			out.Attempts[i].Error = &a.Error
		}
	}
	return out
}

// WebhookEvent is the body of every webhook request: the event envelope
// Kafka carries (events/schema/envelope.v1.json), described for the
// OpenAPI document's webhooks section.
type WebhookEvent struct {
	EventID     uuid.UUID       `json:"event_id" doc:"UUIDv7; also the webhook-id header. Deduplicate on it."`
	Type        string          `json:"type" doc:"The event type (ItemCreated, ItemUpdated, ItemDeleted, CollectionCreated, CollectionUpdated, CollectionDeleted, MembershipAdded, MembershipRoleChanged, MembershipRemoved, ImportFinished, InvitationCreated, InvitationAccepted, InvitationRevoked, PublicLinkCreated, PublicLinkRevoked, ItemLinkStatusChanged; WebhookTest for a test event)." example:"ItemCreated"`
	Version     int             `json:"version" doc:"Envelope version." example:"1"`
	OccurredAt  time.Time       `json:"occurred_at" doc:"When the change was committed (RFC 3339, UTC, microseconds)."`
	ActorUserID *uuid.UUID      `json:"actor_user_id" doc:"Who made the change; null for the system."`
	Entity      WebhookEntity   `json:"entity"`
	Data        json.RawMessage `json:"data" doc:"The change: the new item for ItemCreated, {field: {before, after}} for updates."`
	TraceID     string          `json:"trace_id" doc:"W3C trace id of the write."`
	RequestID   string          `json:"request_id" doc:"API request id of the write."`
}

// WebhookEntity is what an event is about.
type WebhookEntity struct {
	Type         string     `json:"type" example:"item"`
	ID           uuid.UUID  `json:"id"`
	CollectionID *uuid.UUID `json:"collection_id"`
}
