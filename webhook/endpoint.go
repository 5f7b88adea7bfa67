package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
)

// Endpoint is a registered receiver of events. Its secret is never part of
// it: it is shown once, when created or rotated.
type Endpoint struct {
	ID      uuid.UUID
	OwnerID uuid.UUID
	// CollectionID is the collection whose events it receives; nil: every
	// collection (an administrator's endpoint).
	CollectionID *uuid.UUID
	URL          string
	Description  string
	EventTypes   []events.Type
	Enabled      bool
	// Ordered: the events of one entity (an item, a collection) are
	// delivered in the order they happened; a later one waits while an
	// earlier one is retried (see the package doc).
	Ordered bool
	// DisabledReason says why Atlas disabled the endpoint (410 Gone, or
	// failing for a day), "" when it did not.
	DisabledReason string
	// FailingSince is the first failed attempt since the last success.
	FailingSince *time.Time
	// PreviousSecretExpiresAt is when the secret replaced by the last
	// rotation stops signing (nil: no rotation under way).
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// EventTypes lists the event types an endpoint may subscribe to: every
// event of the catalogue (events.Types) that is about a collection, but
// the endpoints' own.
func EventTypes() []events.Type {
	var out []events.Type
	for _, t := range events.Types() {
		if !slices.Contains(notOffered, t) {
			out = append(out, t)
		}
	}
	return out
}

// TestEventType is the type of the event "send a test event" sends. It is
// not in the catalogue: it never travels through Kafka.
const TestEventType events.Type = "WebhookTest"

// validEventTypes checks and de-duplicates the subscribed types.
func validEventTypes(ts []string) ([]events.Type, error) {
	if len(ts) == 0 {
		return nil, atlas.Invalid("event_types", "must name at least one event type")
	}
	allowed := EventTypes()
	var out []events.Type
	for _, s := range ts {
		t := events.Type(strings.TrimSpace(s))
		if !slices.Contains(allowed, t) {
			return nil, atlas.Invalid("event_types", "%q is not an event type a webhook can receive", s)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// validDescription checks an endpoint's description.
func validDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if len([]rune(d)) > 500 {
		return "", atlas.Invalid("description", "must be at most 500 characters")
	}
	return d, nil
}

// urlRules are what an endpoint URL must satisfy: the SSRF guard's rules
// and, in production, HTTPS unless the operator allowed the host.
type urlRules struct {
	guard        enrich.Guard
	requireHTTPS bool
}

// check validates raw as an endpoint URL (at registration and before each
// delivery, since the rules may have changed) and returns it normalised.
func (r urlRules) check(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 {
		return nil, atlas.Invalid("url", "must be an absolute http(s) URL of at most 2048 bytes")
	}
	if u.User != nil {
		return nil, atlas.Invalid("url", "must not contain credentials: authenticate receivers by the signature")
	}
	if err := r.guard.CheckURL(u); err != nil {
		return nil, atlas.Invalid("url", "must be an absolute http(s) URL without credentials")
	}
	if u.Fragment != "" {
		return nil, atlas.Invalid("url", "must not have a fragment")
	}
	if err := r.guard.CheckHost(u.Hostname()); err != nil {
		if errors.Is(err, enrich.ErrBlockedAddress) {
			return nil, atlas.Invalid("url", "is a private, loopback or link-local address; an operator can allow it with ATLAS_FETCH_ALLOW")
		}
		return nil, fmt.Errorf("check webhook host: %w", err)
	}
	if r.requireHTTPS && u.Scheme != "https" && !r.guard.Allow.AllowsHost(u.Hostname()) {
		return nil, atlas.Invalid("url", "must be https:// (an operator can allow a plain http host with ATLAS_FETCH_ALLOW)")
	}
	return u, nil
}
