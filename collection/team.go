package collection

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// Team is a named group of users that can be a member of collections: each
// of its members then has the team's role there (or their own, if higher).
type Team struct {
	ID        uuid.UUID
	Name      string
	CreatedBy *uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	// MemberCount is how many users belong to the team.
	MemberCount int
	// Role is the caller's role in the team, filled by reads made on a
	// caller's behalf.
	Role TeamRole
	// JoinedAt is when the caller joined the team (filled by Teams).
	JoinedAt time.Time
}

// TeamMember is a user's membership of a team.
type TeamMember struct {
	TeamID      uuid.UUID
	UserID      uuid.UUID
	Email       string
	DisplayName string
	Role        TeamRole
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TeamRole is a member's role in a team: owners manage the team and its
// members; members belong to it.
type TeamRole string

// The team roles.
const (
	TeamRoleOwner  TeamRole = "owner"
	TeamRoleMember TeamRole = "member"
)

// Valid reports whether r is a known team role.
func (r TeamRole) Valid() bool { return r == TeamRoleOwner || r == TeamRoleMember }

var errTeamRole = atlas.Invalid("role", "must be one of owner, member")

// errNoTeam is what a caller who is not in a team learns of it: nothing.
var errNoTeam = atlas.Errorf(atlas.ErrNotFound, "team not found")

// TeamAction is something a caller wants to do to a team.
type TeamAction int

// The actions decided on a team.
const (
	// TeamRead: see the team and its members; share a collection with it.
	TeamRead TeamAction = iota
	// TeamManage: rename or delete the team, manage its members.
	TeamManage
)

// DecideTeam is the one access decision on a team: a non-member
// (role == nil) gets atlas.ErrNotFound, so the team is not revealed; a
// member may read; only owners manage.
func DecideTeam(role *TeamRole, a TeamAction) error {
	if role == nil {
		return errNoTeam
	}
	if a == TeamManage && *role != TeamRoleOwner {
		return atlas.Errorf(atlas.ErrForbidden, "only the team's owners may change it or its members")
	}
	return nil
}

// authorizeTeam reads a team (locking it with forUpdate) and decides a for
// actor, returning the team with the actor's role.
func (s *Service) authorizeTeam(ctx context.Context, q db.Querier, actor, id uuid.UUID, a TeamAction, forUpdate bool) (Team, error) {
	t, role, err := s.store.Team(ctx, q, id, actor, forUpdate)
	if err != nil {
		return Team{}, err
	}
	if err := DecideTeam(role, a); err != nil {
		return Team{}, err
	}
	t.Role = *role
	return t, nil
}

// CreateTeam makes a team owned by actor (any user may).
func (s *Service) CreateTeam(ctx context.Context, actor uuid.UUID, name string) (Team, error) {
	name, err := validName(name)
	if err != nil {
		return Team{}, err
	}
	now := s.nowUTC()
	t := Team{ID: uuid.Must(uuid.NewV7()), Name: name, CreatedBy: &actor, CreatedAt: now, UpdatedAt: now,
		MemberCount: 1, Role: TeamRoleOwner, JoinedAt: now}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.InsertTeam(ctx, tx, t); err != nil {
			return err
		}
		if err := s.store.InsertTeamMember(ctx, tx, t.ID, actor, TeamRoleOwner, now); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.TeamCreated, &actor, events.TeamEntity(t.ID),
			map[string]any{"name": t.Name, "owner_user_id": actor})
	})
	if err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	return t, nil
}

// Team returns a team the actor belongs to, with the actor's role.
func (s *Service) Team(ctx context.Context, actor, id uuid.UUID) (Team, error) {
	t, err := s.authorizeTeam(ctx, s.pool, actor, id, TeamRead, false)
	if err != nil {
		return Team{}, fmt.Errorf("get team: %w", err)
	}
	return t, nil
}

// Teams returns the actor's teams, most recently joined first.
func (s *Service) Teams(ctx context.Context, actor uuid.UUID, page cursor.Page) ([]Team, string, error) {
	return cursor.KeysetPage(s.cursor, "teams:"+actor.String(), page,
		func(after *cursor.Keyset, limit int) ([]Team, error) {
			return s.store.TeamsOf(ctx, s.pool, actor, after, limit)
		},
		func(t Team) cursor.Keyset { return cursor.Keyset{At: t.JoinedAt, ID: t.ID} })
}

// RenameTeam changes a team's name (team owners only).
func (s *Service) RenameTeam(ctx context.Context, actor, id uuid.UUID, name string) (Team, error) {
	name, err := validName(name)
	if err != nil {
		return Team{}, err
	}
	var out Team
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		t, err := s.authorizeTeam(ctx, tx, actor, id, TeamManage, true)
		if err != nil {
			return err
		}
		out = t
		if t.Name == name {
			return nil // nothing changed: no write, no event
		}
		changes := events.Changes{}
		changes.Add("name", t.Name, name)
		t.Name, t.UpdatedAt = name, s.nowUTC()
		out = t
		if err := s.store.UpdateTeam(ctx, tx, t); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.TeamUpdated, &actor, events.TeamEntity(t.ID),
			map[string]any{"changes": changes})
	})
	if err != nil {
		return Team{}, fmt.Errorf("rename team: %w", err)
	}
	return out, nil
}

// DeleteTeam removes a team (team owners only) with its members and its
// memberships of collections: each collection records a MembershipRemoved
// naming the team, so its own trail says who lost access, and the team a
// TeamDeleted.
func (s *Service) DeleteTeam(ctx context.Context, actor, id uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		t, err := s.authorizeTeam(ctx, tx, actor, id, TeamManage, true)
		if err != nil {
			return err
		}
		colls, err := s.store.TeamCollections(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteTeam(ctx, tx, id); err != nil {
			return err
		}
		evs := make([]events.Event, 0, len(colls)+1)
		for _, c := range colls {
			evs = append(evs, events.Event{Type: events.MembershipRemoved, Actor: &actor,
				Entity: events.Entity{Type: events.EntityMembership, ID: id, CollectionID: c},
				Data:   map[string]any{"team_id": id, "team_name": t.Name, "team_deleted": true}})
		}
		if colls == nil {
			colls = []uuid.UUID{}
		}
		evs = append(evs, events.Event{Type: events.TeamDeleted, Actor: &actor, Entity: events.TeamEntity(id),
			Data: map[string]any{"name": t.Name, "collection_ids": colls}})
		return s.events.RecordAll(ctx, tx, evs)
	})
	if err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	return nil
}

// TeamMembers lists a team's members (any member may).
func (s *Service) TeamMembers(ctx context.Context, actor, teamID uuid.UUID, page cursor.Page) ([]TeamMember, string, error) {
	if _, err := s.authorizeTeam(ctx, s.pool, actor, teamID, TeamRead, false); err != nil {
		return nil, "", fmt.Errorf("list team members: %w", err)
	}
	return cursor.KeysetPage(s.cursor, "team-members:"+teamID.String(), page,
		func(after *cursor.Keyset, limit int) ([]TeamMember, error) {
			return s.store.TeamMembers(ctx, s.pool, teamID, after, limit)
		},
		func(m TeamMember) cursor.Keyset { return cursor.Keyset{At: m.CreatedAt, ID: m.UserID} })
}

// AddTeamMemberParams names the user to add, by id or by email (exactly one).
type AddTeamMemberParams struct {
	UserID *uuid.UUID
	Email  string
	Role   TeamRole
}

// AddTeamMember adds a registered user to a team (team owners only). The
// user gets the team's role in every collection the team belongs to.
func (s *Service) AddTeamMember(ctx context.Context, actor, teamID uuid.UUID, p AddTeamMemberParams) (TeamMember, error) {
	if !p.Role.Valid() {
		return TeamMember{}, errTeamRole
	}
	if (p.UserID == nil) == (strings.TrimSpace(p.Email) == "") {
		return TeamMember{}, atlas.Invalid("email", "give exactly one of email or user_id")
	}
	var out TeamMember
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.authorizeTeam(ctx, tx, actor, teamID, TeamManage, true); err != nil {
			return err
		}
		userID, err := s.resolveUser(ctx, tx, p.UserID, p.Email)
		if err != nil {
			return err
		}
		if err := s.store.InsertTeamMember(ctx, tx, teamID, userID, p.Role, s.nowUTC()); err != nil {
			return err
		}
		if out, err = s.store.TeamMember(ctx, tx, teamID, userID); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.TeamMemberAdded, &actor, events.TeamEntity(teamID),
			map[string]any{"user_id": userID, "role": p.Role})
	})
	if err != nil {
		return TeamMember{}, fmt.Errorf("add team member: %w", err)
	}
	return out, nil
}

// ChangeTeamMemberRole sets a team member's role (team owners only).
// Demoting the last owner is atlas.ErrConflict.
func (s *Service) ChangeTeamMemberRole(ctx context.Context, actor, teamID, userID uuid.UUID, role TeamRole) (TeamMember, error) {
	if !role.Valid() {
		return TeamMember{}, errTeamRole
	}
	var out TeamMember
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.authorizeTeam(ctx, tx, actor, teamID, TeamManage, true); err != nil {
			return err
		}
		m, err := s.store.TeamMember(ctx, tx, teamID, userID)
		if err != nil {
			return err
		}
		out = m
		if m.Role == role {
			return nil
		}
		if m.Role == TeamRoleOwner {
			if err := s.keepATeamOwner(ctx, tx, teamID); err != nil {
				return err
			}
		}
		now := s.nowUTC()
		if err := s.store.SetTeamRole(ctx, tx, teamID, userID, role, now); err != nil {
			return err
		}
		out.Role, out.UpdatedAt = role, now
		changes := events.Changes{}
		changes.Add("role", m.Role, role)
		return s.events.Record(ctx, tx, events.TeamMemberRoleChanged, &actor, events.TeamEntity(teamID),
			map[string]any{"user_id": userID, "changes": changes})
	})
	if err != nil {
		return TeamMember{}, fmt.Errorf("change team role: %w", lastTeamOwner(err))
	}
	return out, nil
}

// RemoveTeamMember removes a user from a team: team owners may remove
// anyone, any member may leave. The user loses what the team gave them at
// once (their next request). Removing the last owner is atlas.ErrConflict.
func (s *Service) RemoveTeamMember(ctx context.Context, actor, teamID, userID uuid.UUID) error {
	a := TeamManage
	if actor == userID {
		a = TeamRead
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.authorizeTeam(ctx, tx, actor, teamID, a, true); err != nil {
			return err
		}
		m, err := s.store.TeamMember(ctx, tx, teamID, userID)
		if err != nil {
			return err
		}
		if m.Role == TeamRoleOwner {
			if err := s.keepATeamOwner(ctx, tx, teamID); err != nil {
				return err
			}
		}
		if err := s.store.DeleteTeamMember(ctx, tx, teamID, userID); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.TeamMemberRemoved, &actor, events.TeamEntity(teamID),
			map[string]any{"user_id": userID, "role": m.Role, "left": actor == userID})
	})
	if err != nil {
		return fmt.Errorf("remove team member: %w", lastTeamOwner(err))
	}
	return nil
}

var errLastTeamOwner = atlas.Errorf(atlas.ErrConflict, "a team must keep at least one owner; make another member an owner first")

// keepATeamOwner refuses a change that would remove a team's last owner.
// The caller holds the team row lock, so the count is stable.
func (s *Service) keepATeamOwner(ctx context.Context, tx pgx.Tx, teamID uuid.UUID) error {
	n, err := s.store.CountTeamOwners(ctx, tx, teamID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastTeamOwner
	}
	return nil
}

// lastTeamOwner translates the database backstop into the domain error.
func lastTeamOwner(err error) error {
	if db.IsCheckViolation(err, "team_members_keep_an_owner") {
		return errLastTeamOwner
	}
	return err
}
