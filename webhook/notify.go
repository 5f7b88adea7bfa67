package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/mail"
)

// disabledNoticeSQL reads what the email about a disabled endpoint says,
// and whether its owner takes notices by email.
const disabledNoticeSQL = `SELECT e.url, e.description, e.enabled, e.collection_id, c.name, u.email, u.display_name, u.security_notices
FROM webhook_endpoints e
JOIN users u ON u.id = e.owner_id
LEFT JOIN collections c ON c.id = e.collection_id
WHERE e.id = $1`

// PrepareDisabledEmail is the mail.PrepareFunc of TemplateWebhookDisabled:
// the endpoint's owner is told which endpoint Atlas disabled, why, and
// where to enable it again. It sends nothing (mail.ErrSkip) when the
// endpoint was deleted or enabled again meanwhile, or when the owner turned
// email notices off (the account page's setting of security notices).
func PrepareDisabledEmail(pool *pgxpool.Pool) mail.PrepareFunc {
	return func(ctx context.Context, a mail.Args) (mail.Prepared, error) {
		var rawURL, desc, email, name string
		var enabled, notices bool
		var coll *uuid.UUID
		var collName *string
		err := pool.QueryRow(ctx, disabledNoticeSQL, a.Ref).Scan(&rawURL, &desc, &enabled, &coll, &collName, &email, &name, &notices)
		if errors.Is(err, pgx.ErrNoRows) {
			return mail.Prepared{}, mail.ErrSkip
		}
		if err != nil {
			return mail.Prepared{}, fmt.Errorf("read disabled webhook: %w", err)
		}
		if enabled || !notices {
			return mail.Prepared{}, mail.ErrSkip
		}
		host := rawURL
		if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
			host = u.Host
		}
		scope, path := "every collection", "/"
		if coll != nil {
			scope, path = "the collection", "/collections/"+coll.String()+"/webhooks"
			if collName != nil {
				scope = "the collection " + *collName
			}
		}
		return mail.Prepared{To: mail.Address{Name: name, Email: email}, Data: map[string]any{
			"Name": name, "URL": rawURL, "Host": host, "Description": desc, "Scope": scope, "Reason": a.Detail,
			"When": a.At.UTC().Format("2 January 2006, 15:04 MST"), "Path": path,
		}}, nil
	}
}
