package cursor

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Keyset is the position of a row in a list ordered by (time, id), the
// shape most Atlas lists use. It is what a cursor carries.
type Keyset struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

var maxUUID = uuid.UUID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Args returns the SQL arguments for a "(at, id) < ($n, $n+1)" (descending)
// or "(at, id) > (...)" (ascending) keyset condition. With no position it
// returns a sentinel before every row, so one statement with one plan
// serves the first page and every later one.
func Args(after *Keyset, descending bool) (pgtype.Timestamptz, uuid.UUID) {
	if after != nil {
		return pgtype.Timestamptz{Time: after.At, Valid: true}, after.ID
	}
	if descending {
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}, maxUUID
	}
	return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, uuid.Nil
}

// DecodeKeyset is Codec.Decode for a keyset cursor: nil for an empty cursor.
func (c *Codec) DecodeKeyset(scope, s string) (*Keyset, error) {
	if s == "" {
		return nil, nil
	}
	var k Keyset
	if err := c.Decode(scope, s, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// Trim cuts a limit+1 result to limit rows and, when there were more,
// returns the cursor of the last row kept. key gives a row's position.
func Trim[T any](c *Codec, scope string, rows []T, limit int, key func(T) any) ([]T, string, error) {
	if len(rows) <= limit {
		return rows, "", nil
	}
	next, err := c.Encode(scope, key(rows[limit-1]))
	if err != nil {
		return nil, "", err
	}
	return rows[:limit], next, nil
}

// KeysetPage runs one keyset-paginated read: it decodes page.After for
// scope, fetches limit+1 rows after that position and trims them to a page
// with the cursor of its last row (key gives a row's position).
func KeysetPage[T any](c *Codec, scope string, page Page, fetch func(after *Keyset, limit int) ([]T, error), key func(T) Keyset) ([]T, string, error) {
	after, err := c.DecodeKeyset(scope, page.After)
	if err != nil {
		return nil, "", err
	}
	rows, err := fetch(after, page.Limit+1)
	if err != nil {
		return nil, "", err
	}
	return Trim(c, scope, rows, page.Limit, func(r T) any { return key(r) })
}
