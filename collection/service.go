package collection

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool     *pgxpool.Pool
	Cursors  *cursor.Codec
	Recorder *events.Recorder
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
	// Mail enqueues invitation emails; nil: email is off (Invite refuses).
	Mail account.MailQueue
}

// Service manages collections and memberships on behalf of a caller.
type Service struct {
	pool   *pgxpool.Pool
	store  Store
	users  account.Store
	cursor *cursor.Codec
	events *events.Recorder
	now    func() time.Time
	mail   account.MailQueue
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Service{pool: p.Pool, cursor: p.Cursors, events: p.Recorder, now: p.NowFunc, mail: p.Mail}
}

func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Authorize checks that actor may perform a on the collection and returns
// actor's role. It is the one RBAC check every domain uses; q may be a
// transaction so the check and the write see the same state.
func (s *Service) Authorize(ctx context.Context, q db.Querier, actor, collectionID uuid.UUID, a Action) (Role, error) {
	b := &pgx.Batch{}
	decide := s.QueueAuthorize(b, actor, collectionID, a)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return "", err
	}
	return decide()
}

// QueueAuthorize is Authorize for a read that sends its own statements in
// the same round trip: it queues the check on b, and decide, called once b
// has run, answers what Authorize would have. Whatever the other
// statements read must be dropped unless decide passes.
func (s *Service) QueueAuthorize(b *pgx.Batch, actor, collectionID uuid.UUID, a Action) (decide func() (Role, error)) {
	var scanned *Role
	s.store.QueueRole(b, collectionID, actor, &scanned)
	return func() (Role, error) {
		role, member := MemberRole(scanned)
		if err := Decide(role, member, a); err != nil {
			return "", err
		}
		return role, nil
	}
}

// lockAndAuthorize opens every change to a collection or its members: it
// locks the collection row, then decides, so the decision sees the state the
// write changes and concurrent membership changes of the collection are
// serialised (the last-owner check depends on it).
func (s *Service) lockAndAuthorize(ctx context.Context, tx pgx.Tx, actor, id uuid.UUID, a Action) (Collection, Role, error) {
	c, err := s.store.Get(ctx, tx, id, true)
	if err != nil {
		return Collection{}, "", err
	}
	role, err := s.Authorize(ctx, tx, actor, id, a)
	if err != nil {
		return Collection{}, "", err
	}
	c.Role = role
	return c, role, nil
}

// CreateParams describes a new collection.
type CreateParams struct {
	Name        string
	Description string
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 200 {
		return "", atlas.Invalid("name", "must be between 1 and 200 characters")
	}
	return name, nil
}

func validDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > 2000 {
		return "", atlas.Invalid("description", "must be at most 2000 characters")
	}
	return d, nil
}

// Create makes a collection owned by actor.
func (s *Service) Create(ctx context.Context, actor uuid.UUID, p CreateParams) (Collection, error) {
	name, err := validName(p.Name)
	if err != nil {
		return Collection{}, err
	}
	desc, err := validDescription(p.Description)
	if err != nil {
		return Collection{}, err
	}
	now := s.nowUTC()
	c := Collection{ID: uuid.Must(uuid.NewV7()), Name: name, Description: desc, CreatedBy: &actor,
		CreatedAt: now, UpdatedAt: now, Role: RoleOwner}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.Insert(ctx, tx, c); err != nil {
			return err
		}
		if err := s.store.InsertMembership(ctx, tx, c.ID, actor, RoleOwner, now); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.CollectionCreated, &actor,
			events.Entity{Type: events.EntityCollection, ID: c.ID, CollectionID: c.ID},
			map[string]any{"name": c.Name, "description": c.Description, "owner_user_id": actor})
	})
	if err != nil {
		return Collection{}, fmt.Errorf("create collection: %w", err)
	}
	return c, nil
}

// Get returns a collection the actor belongs to, with the actor's role.
func (s *Service) Get(ctx context.Context, actor, id uuid.UUID) (Collection, error) {
	role, err := s.Authorize(ctx, s.pool, actor, id, ActionRead)
	if err != nil {
		return Collection{}, fmt.Errorf("get collection: %w", err)
	}
	c, err := s.store.Get(ctx, s.pool, id, false)
	if err != nil {
		return Collection{}, fmt.Errorf("get collection: %w", err)
	}
	c.Role = role
	return c, nil
}

// List returns the actor's collections, directly or through a team, most
// recently joined first, each with the actor's (highest) role.
func (s *Service) List(ctx context.Context, actor uuid.UUID, page cursor.Page) ([]Collection, string, error) {
	return cursor.KeysetPage(s.cursor, "collections:"+actor.String(), page,
		func(after *cursor.Keyset, limit int) ([]Collection, error) {
			return s.store.ListForUser(ctx, s.pool, actor, after, limit)
		},
		func(c Collection) cursor.Keyset { return cursor.Keyset{At: c.JoinedAt, ID: c.ID} })
}

// UpdateParams changes a collection; nil fields stay as they are.
type UpdateParams struct {
	Name        *string
	Description *string
}

// Update renames or re-describes a collection (owners only).
func (s *Service) Update(ctx context.Context, actor, id uuid.UUID, p UpdateParams) (Collection, error) {
	var out Collection
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, role, err := s.lockAndAuthorize(ctx, tx, actor, id, ActionManage)
		if err != nil {
			return err
		}
		before := c
		if p.Name != nil {
			if c.Name, err = validName(*p.Name); err != nil {
				return err
			}
		}
		if p.Description != nil {
			if c.Description, err = validDescription(*p.Description); err != nil {
				return err
			}
		}
		changes := events.Changes{}
		changes.Add("name", before.Name, c.Name)
		changes.Add("description", before.Description, c.Description)
		c.Role = role
		out = c
		if len(changes) == 0 {
			return nil // nothing changed: no write, no event
		}
		c.UpdatedAt = s.nowUTC()
		out = c
		if err := s.store.Update(ctx, tx, c); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.CollectionUpdated, &actor,
			events.Entity{Type: events.EntityCollection, ID: c.ID, CollectionID: c.ID},
			map[string]any{"changes": changes})
	})
	if err != nil {
		return Collection{}, fmt.Errorf("update collection: %w", err)
	}
	return out, nil
}

// Delete removes a collection with its items and memberships (owners only).
// One CollectionDeleted event stands for the whole cascade; consumers
// (search index, audit) treat it as the deletion of everything inside.
func (s *Service) Delete(ctx context.Context, actor, id uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, _, err := s.lockAndAuthorize(ctx, tx, actor, id, ActionManage)
		if err != nil {
			return err
		}
		if err := s.store.Delete(ctx, tx, id); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.CollectionDeleted, &actor,
			events.Entity{Type: events.EntityCollection, ID: id, CollectionID: id},
			map[string]any{"name": c.Name})
	})
	if err != nil {
		return fmt.Errorf("delete collection: %w", err)
	}
	return nil
}

// Members lists a collection's members, users and teams, in the order they
// joined (any member may read them).
func (s *Service) Members(ctx context.Context, actor, collectionID uuid.UUID, page cursor.Page) ([]Member, string, error) {
	if _, err := s.Authorize(ctx, s.pool, actor, collectionID, ActionRead); err != nil {
		return nil, "", fmt.Errorf("list members: %w", err)
	}
	return cursor.KeysetPage(s.cursor, "members:"+collectionID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Member, error) {
			return s.store.Members(ctx, s.pool, collectionID, after, limit)
		},
		func(m Member) cursor.Keyset { return cursor.Keyset{At: m.CreatedAt, ID: m.ID()} })
}

// AddMemberParams names the member to add: a user by id or by email, or a
// team (exactly one of the three).
type AddMemberParams struct {
	UserID *uuid.UUID
	Email  string
	// TeamID makes a team the member: each of its members gets Role (or
	// their own role, if higher).
	TeamID *uuid.UUID
	Role   Role
}

// AddMember adds a registered user, or a team the actor belongs to, to the
// collection (owners only).
func (s *Service) AddMember(ctx context.Context, actor, collectionID uuid.UUID, p AddMemberParams) (Member, error) {
	if !p.Role.Valid() {
		return Member{}, atlas.Invalid("role", "must be one of owner, editor, viewer")
	}
	given := 0
	for _, ok := range []bool{p.UserID != nil, strings.TrimSpace(p.Email) != "", p.TeamID != nil} {
		if ok {
			given++
		}
	}
	if given != 1 {
		return Member{}, atlas.Invalid("email", "give exactly one of email, user_id or team_id")
	}
	if p.TeamID != nil {
		return s.addTeam(ctx, actor, collectionID, *p.TeamID, p.Role)
	}
	var out Member
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		userID, err := s.resolveUser(ctx, tx, p.UserID, p.Email)
		if err != nil {
			return err
		}
		if err := s.store.InsertMembership(ctx, tx, collectionID, userID, p.Role, s.nowUTC()); err != nil {
			return err
		}
		m, err := s.store.Member(ctx, tx, collectionID, userID)
		if err != nil {
			return err
		}
		out = m
		return s.events.Record(ctx, tx, events.MembershipAdded, &actor,
			events.Entity{Type: events.EntityMembership, ID: userID, CollectionID: collectionID},
			map[string]any{"user_id": userID, "role": p.Role})
	})
	if err != nil {
		return Member{}, fmt.Errorf("add member: %w", err)
	}
	return out, nil
}

// resolveUser finds the registered user named by id or by email.
func (s *Service) resolveUser(ctx context.Context, tx pgx.Tx, id *uuid.UUID, email string) (uuid.UUID, error) {
	if id != nil {
		u, err := s.users.ByID(ctx, tx, *id)
		if err != nil {
			return uuid.Nil, noSuchUser(err)
		}
		return u.ID, nil
	}
	u, _, err := s.users.ByEmail(ctx, tx, strings.TrimSpace(email))
	if err != nil {
		return uuid.Nil, noSuchUser(err)
	}
	return u.ID, nil
}

func noSuchUser(err error) error {
	if errors.Is(err, atlas.ErrNotFound) {
		return atlas.Errorf(atlas.ErrNotFound, "no registered user matches; they must create an account first")
	}
	return err
}

// ChangeRole sets a member's role (owners only). Demoting the last owner is
// atlas.ErrConflict.
func (s *Service) ChangeRole(ctx context.Context, actor, collectionID, userID uuid.UUID, role Role) (Member, error) {
	if !role.Valid() {
		return Member{}, atlas.Invalid("role", "must be one of owner, editor, viewer")
	}
	var out Member
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, ActionManage); err != nil {
			return err
		}
		m, err := s.store.Member(ctx, tx, collectionID, userID)
		if err != nil {
			return err
		}
		out = m
		if m.Role == role {
			return nil
		}
		if m.Role == RoleOwner {
			if err := s.keepAnOwner(ctx, tx, collectionID); err != nil {
				return err
			}
		}
		now := s.nowUTC()
		if err := s.store.SetRole(ctx, tx, collectionID, userID, role, now); err != nil {
			return err
		}
		out.Role, out.UpdatedAt = role, now
		changes := events.Changes{}
		changes.Add("role", m.Role, role)
		return s.events.Record(ctx, tx, events.MembershipRoleChanged, &actor,
			events.Entity{Type: events.EntityMembership, ID: userID, CollectionID: collectionID},
			map[string]any{"user_id": userID, "changes": changes})
	})
	if err != nil {
		return Member{}, fmt.Errorf("change role: %w", lastOwner(err))
	}
	return out, nil
}

// RemoveMember removes a member. Owners may remove anyone; any member may
// remove themselves (leave). Removing the last owner is atlas.ErrConflict.
func (s *Service) RemoveMember(ctx context.Context, actor, collectionID, userID uuid.UUID) error {
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := s.lockAndAuthorize(ctx, tx, actor, collectionID, RemoveAction(actor, userID)); err != nil {
			return err
		}
		m, err := s.store.Member(ctx, tx, collectionID, userID)
		if err != nil {
			return err
		}
		if m.Role == RoleOwner {
			if err := s.keepAnOwner(ctx, tx, collectionID); err != nil {
				return err
			}
		}
		if err := s.store.DeleteMembership(ctx, tx, collectionID, userID); err != nil {
			return err
		}
		return s.events.Record(ctx, tx, events.MembershipRemoved, &actor,
			events.Entity{Type: events.EntityMembership, ID: userID, CollectionID: collectionID},
			map[string]any{"user_id": userID, "role": m.Role, "left": actor == userID})
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", lastOwner(err))
	}
	return nil
}

var errLastOwner = atlas.Errorf(atlas.ErrConflict, "a collection must keep at least one owner; promote another member to owner first")

// keepAnOwner refuses a change that would remove an owner when only one is
// left. The caller holds the collection row lock, so the count is stable.
func (s *Service) keepAnOwner(ctx context.Context, tx pgx.Tx, collectionID uuid.UUID) error {
	n, err := s.store.CountOwners(ctx, tx, collectionID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastOwner
	}
	return nil
}

// lastOwner translates the database backstop into the domain error.
func lastOwner(err error) error {
	if db.IsCheckViolation(err, "memberships_keep_an_owner") {
		return errLastOwner
	}
	return err
}
