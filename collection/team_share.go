package collection

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// A team's membership of a collection: only the collection's owners
// (ActionManage) add a team, change its role or remove it. A team does not
// count towards the collection's owners (the last-owner rule is about
// users), so removing a team is never refused for that reason.

// teamMembershipEntity is the entity of a team's membership event.
func teamMembershipEntity(collectionID, teamID uuid.UUID) events.Entity {
	return events.Entity{Type: events.EntityMembership, ID: teamID, CollectionID: collectionID}
}

// addTeam makes a team the actor belongs to a member of the collection.
// A team the actor is not in is atlas.ErrNotFound, as if it did not exist.
func (s *Service) addTeam(ctx context.Context, actor, collectionID, teamID uuid.UUID, role Role) (Member, error) {
	var out Member
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		t, err := s.authorizeTeam(ctx, tx, actor, teamID, TeamRead, false)
		if err != nil {
			return err
		}
		if err := s.store.InsertCollectionTeam(ctx, tx, collectionID, teamID, role, s.nowUTC()); err != nil {
			return err
		}
		if out, err = s.store.CollectionTeam(ctx, tx, collectionID, teamID); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.MembershipAdded, &actor, teamMembershipEntity(collectionID, teamID),
			map[string]any{"team_id": teamID, "team_name": t.Name, "role": role})
	})
	if err != nil {
		return Member{}, fmt.Errorf("add team to collection: %w", err)
	}
	return out, nil
}

// ChangeTeamRole sets a team's role in a collection (owners only).
func (s *Service) ChangeTeamRole(ctx context.Context, actor, collectionID, teamID uuid.UUID, role Role) (Member, error) {
	if !role.Valid() {
		return Member{}, atlas.Invalid("role", "must be one of owner, editor, viewer")
	}
	var out Member
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		m, err := s.store.CollectionTeam(ctx, tx, collectionID, teamID)
		if err != nil {
			return err
		}
		out = m
		if m.Role == role {
			return nil
		}
		now := s.nowUTC()
		if err := s.store.SetCollectionTeamRole(ctx, tx, collectionID, teamID, role, now); err != nil {
			return err
		}
		out.Role, out.UpdatedAt = role, now
		changes := events.Changes{}
		changes.Add("role", m.Role, role)
		return s.events.Record(ctx, tx, events.MembershipRoleChanged, &actor, teamMembershipEntity(collectionID, teamID),
			map[string]any{"team_id": teamID, "changes": changes})
	})
	if err != nil {
		return Member{}, fmt.Errorf("change team role: %w", err)
	}
	return out, nil
}

// RemoveTeam removes a team from a collection (owners only): its members
// keep only what their own membership gives them, from their next request.
func (s *Service) RemoveTeam(ctx context.Context, actor, collectionID, teamID uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		m, err := s.store.CollectionTeam(ctx, tx, collectionID, teamID)
		if err != nil {
			return err
		}
		if err := s.store.DeleteCollectionTeam(ctx, tx, collectionID, teamID); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.MembershipRemoved, &actor, teamMembershipEntity(collectionID, teamID),
			map[string]any{"team_id": teamID, "team_name": m.TeamName, "role": m.Role})
	})
	if err != nil {
		return fmt.Errorf("remove team from collection: %w", err)
	}
	return nil
}
