// Package item owns items (links, notes, references) and their tags. Tags
// are names scoped to a collection, normalised (trimmed, lower-cased,
// de-duplicated) before they are stored. Every write asks the collection
// policy first and records its domain event in the same transaction.
package item
