package collection

// Permissions is what a role allows in a collection, one flag per Action,
// so a client can show what the caller may do without knowing the policy.
type Permissions struct {
	Read       bool
	WriteItems bool
	Manage     bool
}

// PermissionsOf is what role r allows, each flag decided by Role.Allows.
func PermissionsOf(r Role) Permissions {
	return Permissions{
		Read:       r.Allows(ActionRead),
		WriteItems: r.Allows(ActionWriteItems),
		Manage:     r.Allows(ActionManage),
	}
}
