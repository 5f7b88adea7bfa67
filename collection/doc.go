// Package collection owns collections, their memberships, teams and the
// RBAC policy every other domain asks before it acts: who may read a
// collection, write its items, or manage it. A member is a user or a team
// (whose members each get its role); a user's role in a collection is the
// highest of their direct role and their teams' roles, decided in one SQL
// rule (visible.go) that every domain composes. It also keeps the
// invariants that a collection always has at least one owner and a team at
// least one owner (checked here and enforced by deferred constraint
// triggers in the database).
package collection
