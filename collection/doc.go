// Package collection owns collections, their memberships and the RBAC
// policy every other domain asks before it acts: who may read a collection,
// write its items, or manage it. It also keeps the invariant that a
// collection always has at least one owner (checked here and enforced by a
// deferred constraint trigger in the database).
package collection
