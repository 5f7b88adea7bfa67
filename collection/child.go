package collection

import "github.com/atlasapp/atlas"

// Child is a kind of thing inside a collection that callers reach by its
// own id: an item, an import, a job. Access to it is access to its
// collection.
type Child string

// The children of a collection.
const (
	ChildItem   Child = "item"
	ChildImport Child = "import"
	ChildJob    Child = "job"
)

// AuthorizeChild is the one access decision on a collection's child, for a
// store that read the child together with the caller's role in its
// collection (RoleSQL, scanned into a *Role: nil for a non-member). A
// non-member gets atlas.ErrNotFound naming the child, as if it did not
// exist (so neither it nor its collection is revealed); a member whose role
// does not allow a gets atlas.ErrForbidden (Decide). It returns the role.
func AuthorizeChild(kind Child, scanned *Role, a Action) (Role, error) {
	role, member := MemberRole(scanned)
	if !member {
		return "", atlas.Errorf(atlas.ErrNotFound, "%s not found", kind)
	}
	if err := Decide(role, member, a); err != nil {
		return "", err
	}
	return role, nil
}
