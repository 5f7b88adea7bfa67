package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/db"
)

// Break is the first place the hash chain no longer holds.
type Break struct {
	// Seq is the first row that fails (for a gap, the row after it).
	Seq     int64
	EventID uuid.UUID
	// Reason says what is wrong, for a person.
	Reason string
}

func (b Break) String() string {
	return fmt.Sprintf("seq %d (event %s): %s", b.Seq, b.EventID, b.Reason)
}

// Report is the result of Verify.
type Report struct {
	// Rows is how many rows were checked.
	Rows int64
	// LastSeq and LastHash identify the chain's last row; write them down
	// somewhere else to detect a later truncation of the tail.
	LastSeq  int64
	LastHash []byte
	// Broken is the first broken link, or nil when the chain holds.
	Broken *Break
}

// OK reports whether the whole chain holds.
func (r Report) OK() bool { return r.Broken == nil }

func (r Report) String() string {
	if r.Broken != nil {
		return fmt.Sprintf("audit chain BROKEN after %d good rows: first broken link at %s", r.Rows, r.Broken)
	}
	return fmt.Sprintf("audit chain OK: %d rows, last seq %d, head hash %s", r.Rows, r.LastSeq, hex.EncodeToString(r.LastHash))
}

const verifySQL = `SELECT ` + eventColumns + ` FROM audit_events a ORDER BY a.seq`

// Verify walks the whole chain in seq order on one consistent snapshot and
// recomputes every hash. It stops at the first broken link: a row whose
// content no longer matches its hash (changed row), whose prev_hash is not
// the previous row's hash, or whose seq is not the previous seq plus one
// (a removed row). An error means the walk itself failed.
func Verify(ctx context.Context, b db.Beginner) (Report, error) {
	var rep Report
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		rep = Report{}
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, verifySQL)
		if err != nil {
			return err
		}
		defer rows.Close()
		prevHash := GenesisHash()
		var prevSeq int64
		for rows.Next() {
			e, data, err := scanEvent(rows)
			if err != nil {
				return err
			}
			if brk := check(e, data, prevSeq, prevHash); brk != nil {
				rep.Broken = brk
				return nil
			}
			rep.Rows++
			rep.LastSeq, rep.LastHash = e.Seq, e.Hash
			prevSeq, prevHash = e.Seq, e.Hash
		}
		return rows.Err()
	})
	if err != nil {
		return Report{}, fmt.Errorf("verify audit chain: %w", err)
	}
	return rep, nil
}

// check tests one row against its predecessor.
func check(e Event, data string, prevSeq int64, prevHash []byte) *Break {
	brk := func(reason string, args ...any) *Break {
		return &Break{Seq: e.Seq, EventID: e.EventID, Reason: fmt.Sprintf(reason, args...)}
	}
	if e.Seq != prevSeq+1 {
		return brk("expected seq %d: rows %d..%d are missing", prevSeq+1, prevSeq+1, e.Seq-1)
	}
	if !bytes.Equal(e.PrevHash, prevHash) {
		return brk("prev_hash %x is not the hash of the previous row (%x)", e.PrevHash, prevHash)
	}
	if want := ChainHash(e.PrevHash, CanonicalContent(e, data)); !bytes.Equal(e.Hash, want) {
		return brk("content does not match its hash (stored %x, recomputed %x): the row was altered", e.Hash, want)
	}
	return nil
}
