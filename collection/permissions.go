package collection

// Permissions are the actions a role allows in a collection, one field per
// Action, for clients that show what a member may do (the API returns them
// with a collection). The server still decides every request; these only
// describe the policy (Role.Allows) so a client need not re-derive it.
type Permissions struct {
	// Read: see the collection, its items, tags, members, jobs and audit.
	Read bool
	// WriteItems: create, update and delete items; import; start item jobs.
	WriteItems bool
	// Manage: rename or delete the collection, manage its members.
	Manage bool
	// Leave: remove oneself (refused for the last owner all the same).
	Leave bool
}

// PermissionsOf returns what role allows; an unknown role allows nothing.
func PermissionsOf(role Role) Permissions {
	return Permissions{
		Read:       role.Allows(ActionRead),
		WriteItems: role.Allows(ActionWriteItems),
		Manage:     role.Allows(ActionManage),
		Leave:      role.Allows(ActionLeave),
	}
}
