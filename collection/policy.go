package collection

import (
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
)

// Role is a member's role in a collection.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Roles lists every valid role.
var Roles = []Role{RoleOwner, RoleEditor, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleOwner || r == RoleEditor || r == RoleViewer
}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", atlas.Invalid("role", "must be one of owner, editor, viewer")
	}
	return r, nil
}

// Action is something a caller wants to do to a collection or its content.
type Action int

// The actions the policy decides.
const (
	// ActionRead: see the collection, its items, tags, members, jobs and audit.
	ActionRead Action = iota
	// ActionWriteItems: create, update and delete items; start item jobs.
	ActionWriteItems
	// ActionManage: rename or delete the collection, manage its members.
	ActionManage
	// ActionLeave: remove oneself from the collection (the last owner
	// still may not: a collection keeps an owner).
	ActionLeave
)

// Actions lists every action the policy decides.
var Actions = []Action{ActionRead, ActionWriteItems, ActionManage, ActionLeave}

func (a Action) String() string {
	switch a {
	case ActionRead:
		return "read"
	case ActionWriteItems:
		return "write items"
	case ActionManage:
		return "manage"
	case ActionLeave:
		return "leave"
	}
	return "unknown"
}

// Allows reports whether role r permits action a.
func (r Role) Allows(a Action) bool {
	switch a {
	case ActionRead, ActionLeave:
		return r.Valid()
	case ActionWriteItems:
		return r == RoleOwner || r == RoleEditor
	case ActionManage:
		return r == RoleOwner
	}
	return false
}

// Decide is the one access decision: a non-member (member == false) gets
// atlas.ErrNotFound, so the collection's existence is not revealed; a member
// whose role does not allow the action gets atlas.ErrForbidden.
func Decide(role Role, member bool, a Action) error {
	if !member {
		return atlas.Errorf(atlas.ErrNotFound, "collection not found")
	}
	if !role.Allows(a) {
		return atlas.Errorf(atlas.ErrForbidden, "your role (%s) does not allow you to %s in this collection", role, a)
	}
	return nil
}

// RemoveAction is what removing member from a collection asks of actor:
// leaving (removing oneself) is ActionLeave, which every member has;
// removing someone else is managing the collection.
func RemoveAction(actor, member uuid.UUID) Action {
	if actor == member {
		return ActionLeave
	}
	return ActionManage
}
