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

// Collection is a shared set of items.
type Collection struct {
	ID          uuid.UUID
	Name        string
	Description string
	CreatedBy   *uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Role is the caller's role, filled by reads made on a caller's behalf.
	Role Role
	// JoinedAt is when the caller became a member (filled by List).
	JoinedAt time.Time
}

// Member is a user's or a team's membership of a collection.
type Member struct {
	CollectionID uuid.UUID
	// UserID is the member user's id (uuid.Nil for a team).
	UserID      uuid.UUID
	Email       string
	DisplayName string
	// TeamID is the member team's id (uuid.Nil for a user); TeamName is
	// its name.
	TeamID    uuid.UUID
	TeamName  string
	Role      Role
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IsTeam reports whether the member is a team.
func (m Member) IsTeam() bool { return m.TeamID != uuid.Nil }

// ID is the member's id: the team's for a team, else the user's.
func (m Member) ID() uuid.UUID {
	if m.IsTeam() {
		return m.TeamID
	}
	return m.UserID
}

// Store is the SQL for collections and memberships.
type Store struct{}

const insertCollectionSQL = `
INSERT INTO collections (id, name, description, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)`

// Insert stores a new collection.
func (Store) Insert(ctx context.Context, q db.Querier, c Collection) error {
	if _, err := q.Exec(ctx, insertCollectionSQL, c.ID, c.Name, c.Description, c.CreatedBy, c.CreatedAt, c.UpdatedAt); err != nil {
		return fmt.Errorf("insert collection: %w", err)
	}
	return nil
}

const collectionColumns = `c.id, c.name, c.description, c.created_by, c.created_at, c.updated_at`

func scanCollection(row pgx.Row, extra ...any) (Collection, error) {
	var c Collection
	dest := append([]any{&c.ID, &c.Name, &c.Description, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Collection{}, atlas.Errorf(atlas.ErrNotFound, "collection not found")
		}
		return Collection{}, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

const getCollectionSQL = `SELECT ` + collectionColumns + ` FROM collections c WHERE c.id = $1`

const getCollectionForUpdateSQL = getCollectionSQL + ` FOR UPDATE`

// Get reads a collection. With forUpdate it locks the row, which serialises
// membership changes of the collection (the last-owner check depends on it).
func (Store) Get(ctx context.Context, q db.Querier, id uuid.UUID, forUpdate bool) (Collection, error) {
	sql := getCollectionSQL
	if forUpdate {
		sql = getCollectionForUpdateSQL
	}
	c, err := scanCollection(q.QueryRow(ctx, sql, id))
	if err != nil {
		return Collection{}, fmt.Errorf("get collection: %w", err)
	}
	return c, nil
}

var roleSQL = `SELECT ` + RoleSQL("$1", "$2")

// QueueRole queues on b the lookup of userID's role in the collection:
// once b has run, *into is the role, nil when userID is not a member.
func (Store) QueueRole(b *pgx.Batch, collectionID, userID uuid.UUID, into **Role) {
	b.Queue(roleSQL, collectionID, userID).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(into); err != nil {
			return fmt.Errorf("membership role: %w", err)
		}
		return nil
	})
}

var listForUserSQL = `
SELECT ` + collectionColumns + `, v.role, v.joined
FROM ` + accessSQL("$1") + ` v JOIN collections c ON c.id = v.collection_id
WHERE (v.joined, v.collection_id) < ($2, $3)
ORDER BY v.joined DESC, v.collection_id DESC
LIMIT $4`

// ListForUser returns the collections userID belongs to (directly or
// through a team, with the highest role), most recently joined first, after the keyset position (nil for the first page).
func (Store) ListForUser(ctx context.Context, q db.Querier, userID uuid.UUID, after *cursor.Keyset, limit int) ([]Collection, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listForUserSQL, userID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Collection, error) {
		var joined time.Time
		var role Role
		c, err := scanCollection(row, &role, &joined)
		c.Role, c.JoinedAt = role, joined.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return out, nil
}

const updateCollectionSQL = `UPDATE collections SET name = $2, description = $3, updated_at = $4 WHERE id = $1`

// Update writes a collection's name, description and updated_at.
func (Store) Update(ctx context.Context, q db.Querier, c Collection) error {
	if _, err := q.Exec(ctx, updateCollectionSQL, c.ID, c.Name, c.Description, c.UpdatedAt); err != nil {
		return fmt.Errorf("update collection: %w", err)
	}
	return nil
}

const deleteCollectionSQL = `DELETE FROM collections WHERE id = $1`

// Delete removes a collection; its memberships, items and tags cascade.
func (Store) Delete(ctx context.Context, q db.Querier, id uuid.UUID) error {
	if _, err := q.Exec(ctx, deleteCollectionSQL, id); err != nil {
		return fmt.Errorf("delete collection: %w", err)
	}
	return nil
}

const insertMembershipSQL = `
INSERT INTO memberships (collection_id, user_id, role, created_at, updated_at)
VALUES ($1, $2, $3, $4, $4)`

// InsertMembership adds a member; an existing membership is atlas.ErrConflict.
func (Store) InsertMembership(ctx context.Context, q db.Querier, collectionID, userID uuid.UUID, role Role, at time.Time) error {
	_, err := q.Exec(ctx, insertMembershipSQL, collectionID, userID, role, at)
	if db.IsUniqueViolation(err, "memberships_pkey") {
		return atlas.Errorf(atlas.ErrConflict, "this user is already a member of the collection")
	}
	if err != nil {
		return fmt.Errorf("insert membership: %w", err)
	}
	return nil
}

const memberColumns = `m.collection_id, m.user_id, u.email, u.display_name, m.role, m.created_at, m.updated_at`

func scanMember(row pgx.Row) (Member, error) {
	var m Member
	if err := row.Scan(&m.CollectionID, &m.UserID, &m.Email, &m.DisplayName, &m.Role, &m.CreatedAt, &m.UpdatedAt); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Member{}, atlas.Errorf(atlas.ErrNotFound, "member not found")
		}
		return Member{}, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

const memberSQL = `
SELECT ` + memberColumns + `
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.collection_id = $1 AND m.user_id = $2`

// Member reads one membership with the member's user details.
func (Store) Member(ctx context.Context, q db.Querier, collectionID, userID uuid.UUID) (Member, error) {
	m, err := scanMember(q.QueryRow(ctx, memberSQL, collectionID, userID))
	if err != nil {
		return Member{}, fmt.Errorf("get member: %w", err)
	}
	return m, nil
}

const listMembersSQL = `
SELECT v.* FROM (
  (SELECT m.collection_id, m.user_id, u.email, u.display_name, NULL::uuid AS team_id, '' AS team_name,
          m.role, m.created_at, m.updated_at
   FROM memberships m JOIN users u ON u.id = m.user_id
   WHERE m.collection_id = $1 AND (m.created_at, m.user_id) > ($2, $3)
   ORDER BY m.created_at, m.user_id LIMIT $4)
  UNION ALL
  (SELECT ct.collection_id, NULL, '', '', ct.team_id, t.name, ct.role, ct.created_at, ct.updated_at
   FROM collection_teams ct JOIN teams t ON t.id = ct.team_id
   WHERE ct.collection_id = $1 AND (ct.created_at, ct.team_id) > ($2, $3)
   ORDER BY ct.created_at, ct.team_id LIMIT $4)
) v ORDER BY v.created_at, coalesce(v.user_id, v.team_id)
LIMIT $4`

// Members lists a collection's members, users and teams, in the order they
// joined (a team and a user joined at the same instant are ordered by id).
func (Store) Members(ctx context.Context, q db.Querier, collectionID uuid.UUID, after *cursor.Keyset, limit int) ([]Member, error) {
	at, id := cursor.Args(after, false)
	rows, err := q.Query(ctx, listMembersSQL, collectionID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Member, error) {
		var m Member
		var user, team *uuid.UUID
		if err := row.Scan(&m.CollectionID, &user, &m.Email, &m.DisplayName, &team, &m.TeamName, &m.Role, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return Member{}, err
		}
		if user != nil {
			m.UserID = *user
		}
		if team != nil {
			m.TeamID = *team
		}
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

const setRoleSQL = `UPDATE memberships SET role = $3, updated_at = $4 WHERE collection_id = $1 AND user_id = $2`

// SetRole changes a member's role.
func (Store) SetRole(ctx context.Context, q db.Querier, collectionID, userID uuid.UUID, role Role, at time.Time) error {
	if _, err := q.Exec(ctx, setRoleSQL, collectionID, userID, role, at); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	return nil
}

const deleteMembershipSQL = `DELETE FROM memberships WHERE collection_id = $1 AND user_id = $2`

// DeleteMembership removes a member.
func (Store) DeleteMembership(ctx context.Context, q db.Querier, collectionID, userID uuid.UUID) error {
	if _, err := q.Exec(ctx, deleteMembershipSQL, collectionID, userID); err != nil {
		return fmt.Errorf("delete membership: %w", err)
	}
	return nil
}

const countOwnersSQL = `SELECT count(*) FROM memberships WHERE collection_id = $1 AND role = 'owner'`

// CountOwners counts a collection's owners.
func (Store) CountOwners(ctx context.Context, q db.Querier, collectionID uuid.UUID) (int, error) {
	var n int
	if err := q.QueryRow(ctx, countOwnersSQL, collectionID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count owners: %w", err)
	}
	return n, nil
}
