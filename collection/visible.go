package collection

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
)

// The rule "which collections may this caller see" is membership: a user
// sees exactly the collections they are a member of, directly or through a
// team they belong to, whatever their role; their role is the highest of
// those roles. It is written once, here, as SQL that other domains' stores
// compose into their own statements (audit, jobs, item) or as a query
// (search), so that a change to the rule is a change to this file only.
// Nothing caches its answer: a membership removed (from the collection or
// from a team) counts from the next statement that asks.

// VisibleIDsSQL returns a subquery listing the ids of the collections the
// user whose id is the SQL expression user (a placeholder such as "$1") may
// see, each once. Use it as `x IN ` + VisibleIDsSQL("$1"), or as a FROM
// item aliased with a column list. It is served by memberships_user_page_idx
// and, for teams, team_members_user_idx and collection_teams_team_idx.
func VisibleIDsSQL(user string) string {
	return `(SELECT m.collection_id FROM memberships m WHERE m.user_id = ` + user + `
 UNION SELECT ct.collection_id FROM team_members tm JOIN collection_teams ct ON ct.team_id = tm.team_id WHERE tm.user_id = ` + user + `)`
}

// TeamIDsSQL returns a subquery listing the ids of the teams the user whose
// id is the SQL expression user belongs to (their events are theirs to
// see). It is served by team_members_user_idx.
func TeamIDsSQL(user string) string {
	return `(SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ` + user + `)`
}

// roleRankSQL orders roles from most to least powerful (owner first).
func roleRankSQL(role string) string {
	return `CASE ` + role + ` WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END`
}

// RoleSQL returns a scalar subquery: the role of user in the collection
// collectionID (both SQL expressions, each used twice), the highest of
// their direct role and their teams' roles, or NULL when user is not a
// member either way and so may not see the collection. Scan it into a
// *Role and pass the result to Decide through MemberRole. It is served by
// the memberships primary key, and for teams by the collection_teams and
// team_members primary keys (a collection has few teams, whatever the
// number of teams the user is in).
func RoleSQL(collectionID, user string) string {
	return `(SELECT r.role FROM (
   SELECT m.role FROM memberships m WHERE m.collection_id = ` + collectionID + ` AND m.user_id = ` + user + `
   UNION ALL
   SELECT ct.role FROM collection_teams ct JOIN team_members tm ON tm.team_id = ct.team_id AND tm.user_id = ` + user + `
   WHERE ct.collection_id = ` + collectionID + `
 ) r (role) ORDER BY ` + roleRankSQL("r.role") + ` LIMIT 1)`
}

// accessSQL returns a subquery with a row (collection_id, role, joined)
// per collection user may see: the highest of their roles there, and when
// they first gained access (a team's access starts when both the team
// joined the collection and the user joined the team).
func accessSQL(user string) string {
	return `(SELECT a.collection_id, (ARRAY['owner', 'editor', 'viewer'])[min(` + roleRankSQL("a.role") + `) + 1] AS role,
   min(a.joined) AS joined
 FROM (
   SELECT m.collection_id, m.role, m.created_at FROM memberships m WHERE m.user_id = ` + user + `
   UNION ALL
   SELECT ct.collection_id, ct.role, greatest(ct.created_at, tm.created_at)
   FROM team_members tm JOIN collection_teams ct ON ct.team_id = tm.team_id WHERE tm.user_id = ` + user + `
 ) a (collection_id, role, joined)
 GROUP BY a.collection_id)`
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
