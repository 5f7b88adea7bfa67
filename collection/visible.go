package collection

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
)

// The rule "which collections may this caller see" is membership: a user
// sees exactly the collections they are a member of, whatever their role.
// It is written once, here, as SQL that other domains' stores compose into
// their own statements (audit, jobs, item) or as a query (search), so that a
// change to the rule is a change to this file only.

// VisibleIDsSQL returns a subquery listing the ids of the collections the
// user whose id is the SQL expression user (a placeholder such as "$1") may
// see. Use it as `x IN ` + VisibleIDsSQL("$1"), or as a FROM item aliased
// with a column list. It is served by memberships_user_page_idx.
func VisibleIDsSQL(user string) string {
	return `(SELECT m.collection_id FROM memberships m WHERE m.user_id = ` + user + `)`
}

// RoleSQL returns a scalar subquery: the role of user in the collection
// collectionID (both SQL expressions), or NULL when user is not a member
// and so may not see the collection. Scan it into a *Role and pass the
// result to Decide through MemberRole. It is served by the memberships
// primary key.
func RoleSQL(collectionID, user string) string {
	return `(SELECT m.role FROM memberships m WHERE m.collection_id = ` + collectionID + ` AND m.user_id = ` + user + `)`
}

// MemberRole turns a role scanned from RoleSQL into the role and whether
// the user is a member at all (what Decide takes).
func MemberRole(scanned *Role) (Role, bool) {
	if scanned == nil {
		return "", false
	}
	return *scanned, true
}

var visibleIDsSQL = `SELECT id FROM ` + VisibleIDsSQL("$1") + ` v (id)`

// VisibleIDs returns the ids of every collection userID may see, for a
// store that cannot join Postgres (the search index filters on them).
func (s *Service) VisibleIDs(ctx context.Context, q db.Querier, userID uuid.UUID) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, visibleIDsSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("read the caller's collections: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("read the caller's collections: %w", err)
	}
	return ids, nil
}
