package webhook

import (
	"context"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/events"
)

// notOffered are the catalogue's events no endpoint may subscribe to:
// those about a user or a team, not a collection (the dispatcher skips
// events without a collection), and the endpoints' own events, which are
// for the audit trail.
var notOffered = []events.Type{events.SessionRevoked, events.RefreshTokenReuseDetected,
	events.PasswordChanged, events.APITokenCreated, events.APITokenRevoked, events.SSOLinked, events.SSOUnlinked, events.UserLoggedIn,
	events.TeamCreated, events.TeamUpdated, events.TeamDeleted,
	events.TeamMemberAdded, events.TeamMemberRoleChanged, events.TeamMemberRemoved,
	events.WebhookCreated, events.WebhookUpdated, events.WebhookSecretRotated, events.WebhookDisabled, events.WebhookDeleted}

// recordEvent adds an endpoint's event to the outbox in tx: about its
// collection or, for a global endpoint, about its administrator. The data
// names the endpoint and its host, never the URL's path or query (a
// receiver's token may be there).
func recordEvent(ctx context.Context, rec *events.Recorder, tx pgx.Tx, t events.Type, actor *uuid.UUID, e Endpoint, data map[string]any) error {
	entity := events.Entity{Type: events.EntityUser, ID: e.OwnerID}
	if e.CollectionID != nil {
		entity = events.Entity{Type: events.EntityCollection, ID: *e.CollectionID, CollectionID: *e.CollectionID}
	}
	if data == nil {
		data = map[string]any{}
	}
	data["webhook_id"] = e.ID
	if u, err := url.Parse(e.URL); err == nil {
		data["host"] = u.Host
	}
	return rec.Record(ctx, tx, t, actor, entity, data)
}
