package collection

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
)

// The SQL of teams, their members and their memberships of collections.

const insertTeamSQL = `INSERT INTO teams (id, name, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`

// InsertTeam stores a new team.
func (Store) InsertTeam(ctx context.Context, q db.Querier, t Team) error {
	if _, err := q.Exec(ctx, insertTeamSQL, t.ID, t.Name, t.CreatedBy, t.CreatedAt, t.UpdatedAt); err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	return nil
}

const teamColumns = `t.id, t.name, t.created_by, t.created_at, t.updated_at,
  (SELECT count(*) FROM team_members c WHERE c.team_id = t.id)`

func scanTeam(row pgx.Row, extra ...any) (Team, error) {
	var t Team
	dest := append([]any{&t.ID, &t.Name, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt, &t.MemberCount}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Team{}, errNoTeam
		}
		return Team{}, err
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

const getTeamSQL = `SELECT ` + teamColumns + `, tm.role FROM teams t
LEFT JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $2
WHERE t.id = $1`

// Team reads a team with userID's role in it (nil when userID is not a
// member). With forUpdate it locks the team's row, which serialises the
// changes of its members (the last-owner check depends on it).
func (Store) Team(ctx context.Context, q db.Querier, id, userID uuid.UUID, forUpdate bool) (Team, *TeamRole, error) {
	sql := getTeamSQL
	if forUpdate {
		sql += ` FOR UPDATE OF t`
	}
	var role *TeamRole
	t, err := scanTeam(q.QueryRow(ctx, sql, id, userID), &role)
	if err != nil {
		return Team{}, nil, fmt.Errorf("get team: %w", err)
	}
	return t, role, nil
}

const listTeamsSQL = `
SELECT ` + teamColumns + `, tm.role, tm.created_at
FROM team_members tm JOIN teams t ON t.id = tm.team_id
WHERE tm.user_id = $1 AND (tm.created_at, tm.team_id) < ($2, $3)
ORDER BY tm.created_at DESC, tm.team_id DESC
LIMIT $4`

// TeamsOf returns the teams userID belongs to, most recently joined first.
func (Store) TeamsOf(ctx context.Context, q db.Querier, userID uuid.UUID, after *cursor.Keyset, limit int) ([]Team, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listTeamsSQL, userID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Team, error) {
		var joined time.Time
		var role TeamRole
		t, err := scanTeam(row, &role, &joined)
		t.Role, t.JoinedAt = role, joined.UTC()
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return out, nil
}

const updateTeamSQL = `UPDATE teams SET name = $2, updated_at = $3 WHERE id = $1`

// UpdateTeam writes a team's name and updated_at.
func (Store) UpdateTeam(ctx context.Context, q db.Querier, t Team) error {
	if _, err := q.Exec(ctx, updateTeamSQL, t.ID, t.Name, t.UpdatedAt); err != nil {
		return fmt.Errorf("update team: %w", err)
	}
	return nil
}

const deleteTeamSQL = `DELETE FROM teams WHERE id = $1`

// DeleteTeam removes a team; its members and collection memberships cascade.
func (Store) DeleteTeam(ctx context.Context, q db.Querier, id uuid.UUID) error {
	if _, err := q.Exec(ctx, deleteTeamSQL, id); err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	return nil
}

const insertTeamMemberSQL = `
INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`

// InsertTeamMember adds a user to a team; an existing member is
// atlas.ErrConflict.
func (Store) InsertTeamMember(ctx context.Context, q db.Querier, teamID, userID uuid.UUID, role TeamRole, at time.Time) error {
	_, err := q.Exec(ctx, insertTeamMemberSQL, teamID, userID, role, at)
	if db.IsUniqueViolation(err, "team_members_pkey") {
		return atlas.Errorf(atlas.ErrConflict, "this user is already a member of the team")
	}
	if err != nil {
		return fmt.Errorf("insert team member: %w", err)
	}
	return nil
}

const teamMemberColumns = `tm.team_id, tm.user_id, u.email, u.display_name, tm.role, tm.created_at, tm.updated_at`

func scanTeamMember(row pgx.Row) (TeamMember, error) {
	var m TeamMember
	if err := row.Scan(&m.TeamID, &m.UserID, &m.Email, &m.DisplayName, &m.Role, &m.CreatedAt, &m.UpdatedAt); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return TeamMember{}, atlas.Errorf(atlas.ErrNotFound, "team member not found")
		}
		return TeamMember{}, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

const teamMemberSQL = `SELECT ` + teamMemberColumns + `
FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = $1 AND tm.user_id = $2`

// TeamMember reads one member of a team.
func (Store) TeamMember(ctx context.Context, q db.Querier, teamID, userID uuid.UUID) (TeamMember, error) {
	m, err := scanTeamMember(q.QueryRow(ctx, teamMemberSQL, teamID, userID))
	if err != nil {
		return TeamMember{}, fmt.Errorf("get team member: %w", err)
	}
	return m, nil
}

const listTeamMembersSQL = `SELECT ` + teamMemberColumns + `
FROM team_members tm JOIN users u ON u.id = tm.user_id
WHERE tm.team_id = $1 AND (tm.created_at, tm.user_id) > ($2, $3)
ORDER BY tm.created_at, tm.user_id
LIMIT $4`

// TeamMembers lists a team's members in the order they joined.
func (Store) TeamMembers(ctx context.Context, q db.Querier, teamID uuid.UUID, after *cursor.Keyset, limit int) ([]TeamMember, error) {
	at, id := cursor.Args(after, false)
	rows, err := q.Query(ctx, listTeamMembersSQL, teamID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TeamMember, error) { return scanTeamMember(row) })
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	return out, nil
}

const setTeamRoleSQL = `UPDATE team_members SET role = $3, updated_at = $4 WHERE team_id = $1 AND user_id = $2`

// SetTeamRole changes a team member's role.
func (Store) SetTeamRole(ctx context.Context, q db.Querier, teamID, userID uuid.UUID, role TeamRole, at time.Time) error {
	if _, err := q.Exec(ctx, setTeamRoleSQL, teamID, userID, role, at); err != nil {
		return fmt.Errorf("set team role: %w", err)
	}
	return nil
}

const deleteTeamMemberSQL = `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`

// DeleteTeamMember removes a user from a team.
func (Store) DeleteTeamMember(ctx context.Context, q db.Querier, teamID, userID uuid.UUID) error {
	if _, err := q.Exec(ctx, deleteTeamMemberSQL, teamID, userID); err != nil {
		return fmt.Errorf("delete team member: %w", err)
	}
	return nil
}

const countTeamOwnersSQL = `SELECT count(*) FROM team_members WHERE team_id = $1 AND role = 'owner'`

// CountTeamOwners counts a team's owners.
func (Store) CountTeamOwners(ctx context.Context, q db.Querier, teamID uuid.UUID) (int, error) {
	var n int
	if err := q.QueryRow(ctx, countTeamOwnersSQL, teamID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count team owners: %w", err)
	}
	return n, nil
}

const teamCollectionsSQL = `SELECT collection_id FROM collection_teams WHERE team_id = $1 ORDER BY collection_id`

// TeamCollections lists the ids of the collections a team is a member of.
func (Store) TeamCollections(ctx context.Context, q db.Querier, teamID uuid.UUID) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, teamCollectionsSQL, teamID)
	if err != nil {
		return nil, fmt.Errorf("team collections: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("team collections: %w", err)
	}
	return ids, nil
}

const insertCollectionTeamSQL = `
INSERT INTO collection_teams (collection_id, team_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`

// InsertCollectionTeam makes a team a member of a collection; a team
// already there is atlas.ErrConflict.
func (Store) InsertCollectionTeam(ctx context.Context, q db.Querier, collectionID, teamID uuid.UUID, role Role, at time.Time) error {
	_, err := q.Exec(ctx, insertCollectionTeamSQL, collectionID, teamID, role, at)
	if db.IsUniqueViolation(err, "collection_teams_pkey") {
		return atlas.Errorf(atlas.ErrConflict, "this team is already a member of the collection")
	}
	if err != nil {
		return fmt.Errorf("insert team membership: %w", err)
	}
	return nil
}

const collectionTeamSQL = `
SELECT ct.collection_id, ct.team_id, t.name, ct.role, ct.created_at, ct.updated_at
FROM collection_teams ct JOIN teams t ON t.id = ct.team_id
WHERE ct.collection_id = $1 AND ct.team_id = $2`

// CollectionTeam reads a team's membership of a collection, as a Member.
func (Store) CollectionTeam(ctx context.Context, q db.Querier, collectionID, teamID uuid.UUID) (Member, error) {
	var m Member
	err := q.QueryRow(ctx, collectionTeamSQL, collectionID, teamID).Scan(&m.CollectionID, &m.TeamID, &m.TeamName, &m.Role, &m.CreatedAt, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, atlas.Errorf(atlas.ErrNotFound, "this team is not a member of the collection")
	}
	if err != nil {
		return Member{}, fmt.Errorf("get team membership: %w", err)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

const setCollectionTeamRoleSQL = `UPDATE collection_teams SET role = $3, updated_at = $4 WHERE collection_id = $1 AND team_id = $2`

// SetCollectionTeamRole changes a team's role in a collection.
func (Store) SetCollectionTeamRole(ctx context.Context, q db.Querier, collectionID, teamID uuid.UUID, role Role, at time.Time) error {
	if _, err := q.Exec(ctx, setCollectionTeamRoleSQL, collectionID, teamID, role, at); err != nil {
		return fmt.Errorf("set team membership role: %w", err)
	}
	return nil
}

const deleteCollectionTeamSQL = `DELETE FROM collection_teams WHERE collection_id = $1 AND team_id = $2`

// DeleteCollectionTeam removes a team from a collection.
func (Store) DeleteCollectionTeam(ctx context.Context, q db.Querier, collectionID, teamID uuid.UUID) error {
	if _, err := q.Exec(ctx, deleteCollectionTeamSQL, collectionID, teamID); err != nil {
		return fmt.Errorf("delete team membership: %w", err)
	}
	return nil
}
