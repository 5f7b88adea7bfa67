package reconcile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/search"
)

// Defaults.
const (
	// DefaultPageSize is how many rows and documents a run reads per query.
	DefaultPageSize = 1000
	// DefaultGrace is how old a change must be before a difference counts:
	// a write normally reaches the index and the trail within seconds.
	DefaultGrace = time.Minute
	// MaxListed caps the ids a Report keeps per kind of drift (the counts
	// go on), so a run's memory stays bounded however far the index drifted.
	MaxListed = 100
	// recheckBatch is how many differences are re-checked (and repaired) at
	// once.
	recheckBatch = 500
)

// Params configures a Reconciler.
type Params struct {
	// DB is the Postgres pool (the truth).
	DB db.Querier
	// Syncer writes to the index; its Index is the one compared.
	Syncer *search.Syncer
	// PageSize is the page of each stream; default DefaultPageSize.
	PageSize int
	// Archive, when set, also finds (and with Repair removes) archived
	// copies' blobs that no row names.
	Archive *archive.Service
	// Logger receives a summary of each run; nil discards.
	Logger *slog.Logger
	// NowFunc is the clock; default time.Now.
	NowFunc func() time.Time
}

// Reconciler compares Postgres with the search index and the audit trail.
type Reconciler struct {
	db       db.Querier
	syncer   *search.Syncer
	archive  *archive.Service
	index    *search.Index
	pageSize int
	log      *slog.Logger
	now      func() time.Time
}

// New returns a Reconciler.
func New(p Params) (*Reconciler, error) {
	if p.DB == nil || p.Syncer == nil {
		return nil, errors.New("new reconciler: DB and Syncer are required")
	}
	if p.PageSize <= 0 {
		p.PageSize = DefaultPageSize
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Reconciler{db: p.DB, syncer: p.Syncer, archive: p.Archive, index: p.Syncer.Index(), pageSize: p.PageSize, log: p.Logger, now: p.NowFunc}, nil
}

// Options are the choices of one run.
type Options struct {
	// Repair re-syncs every drifted item through the search syncer.
	Repair bool
	// Grace ignores items and collections changed less than this long
	// before the run started; zero means none (a quiet system, tests).
	Grace time.Duration
}

// Drift counts one kind of difference, with the first MaxListed ids.
type Drift struct {
	Count int         `json:"count"`
	IDs   []uuid.UUID `json:"ids,omitempty"`
}

func (d *Drift) add(id uuid.UUID) {
	d.Count++
	if len(d.IDs) < MaxListed {
		d.IDs = append(d.IDs, id)
	}
}

// Report is what a run found (and repaired).
type Report struct {
	// Items and Documents are how many rows and documents were read.
	Items     int `json:"items"`
	Documents int `json:"documents"`
	// Missing items have no document; Stale ones a document at an older
	// version; Orphans are documents without an item (deleted items still
	// searchable); Ahead documents claim a newer version than Postgres has
	// (an index restored from elsewhere: only a reindex fixes it).
	Missing Drift `json:"missing"`
	Stale   Drift `json:"stale"`
	Orphans Drift `json:"orphans"`
	Ahead   Drift `json:"ahead"`
	// ItemsWithoutCreation and CollectionsWithoutCreation have no
	// ItemCreated / CollectionCreated row in the audit trail;
	// DuplicateCreations have more than one.
	ItemsWithoutCreation       Drift `json:"items_without_creation"`
	CollectionsWithoutCreation Drift `json:"collections_without_creation"`
	DuplicateCreations         Drift `json:"duplicate_creations"`
	// ArchiveOrphans are the archived copies' blobs no row names (older
	// than archive.DefaultOrphanGrace); with Repair they are removed.
	ArchiveOrphans archive.OrphanReport `json:"archive_orphans"`
	// Repaired is how many items Repair re-synced.
	Repaired int `json:"repaired"`
	// Took is how long the run took.
	Took time.Duration `json:"took_ns"`
}

// SearchDrift is the number of items whose document differs from Postgres.
func (r Report) SearchDrift() int {
	return r.Missing.Count + r.Stale.Count + r.Orphans.Count + r.Ahead.Count
}

// AuditDrift is the number of entities whose creation event is missing or
// duplicated.
func (r Report) AuditDrift() int {
	return r.ItemsWithoutCreation.Count + r.CollectionsWithoutCreation.Count + r.DuplicateCreations.Count
}

// Unrepaired is the drift a repair run could not fix: all of it without
// Repair; with it, the audit drift and documents ahead of Postgres.
func (r Report) Unrepaired(repair bool) int {
	if !repair {
		return r.SearchDrift() + r.AuditDrift() + r.ArchiveOrphans.Orphans
	}
	return r.Ahead.Count + r.AuditDrift() + r.ArchiveOrphans.Orphans - r.ArchiveOrphans.Removed
}

// String is the report in a few lines for people.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %d items and %d documents in %s\n", r.Items, r.Documents, r.Took.Round(time.Millisecond))
	line := func(name string, d Drift) {
		fmt.Fprintf(&b, "  %-30s %d", name, d.Count)
		if d.Count > 0 {
			ids := make([]string, 0, min(len(d.IDs), 5))
			for _, id := range d.IDs[:min(len(d.IDs), 5)] {
				ids = append(ids, id.String())
			}
			fmt.Fprintf(&b, "  (%s%s)", strings.Join(ids, ", "), map[bool]string{true: ", ...", false: ""}[d.Count > len(ids)])
		}
		b.WriteByte('\n')
	}
	b.WriteString("search index:\n")
	line("items without a document", r.Missing)
	line("documents at an older version", r.Stale)
	line("documents of deleted items", r.Orphans)
	line("documents ahead of Postgres", r.Ahead)
	b.WriteString("audit trail:\n")
	line("items without ItemCreated", r.ItemsWithoutCreation)
	line("collections without Created", r.CollectionsWithoutCreation)
	line("duplicated creation events", r.DuplicateCreations)
	fmt.Fprintf(&b, "archived copies:\n  %-30s %d (%d bytes, %d removed)\n", "blobs no row names", r.ArchiveOrphans.Orphans,
		r.ArchiveOrphans.OrphanBytes, r.ArchiveOrphans.Removed)
	fmt.Fprintf(&b, "repaired: %d", r.Repaired)
	return b.String()
}

// Run compares Postgres with the index and the audit trail once and, with
// o.Repair, re-syncs the drifted items.
func (r *Reconciler) Run(ctx context.Context, o Options) (Report, error) {
	start := r.now()
	run := &run{r: r, o: o, cutoff: start.Add(-o.Grace)}
	if err := run.items(ctx); err != nil {
		return run.rep, err
	}
	if err := run.collections(ctx); err != nil {
		return run.rep, err
	}
	if r.archive != nil {
		orphans, err := r.archive.Reconcile(ctx, max(o.Grace, archive.DefaultOrphanGrace), o.Repair)
		run.rep.ArchiveOrphans = orphans
		if err != nil {
			return run.rep, err
		}
	}
	run.rep.Took = r.now().Sub(start)
	r.log.InfoContext(ctx, "reconcile finished", slog.Int("items", run.rep.Items), slog.Int("documents", run.rep.Documents),
		slog.Int("search_drift", run.rep.SearchDrift()), slog.Int("audit_drift", run.rep.AuditDrift()),
		slog.Int("repaired", run.rep.Repaired), slog.Bool("repair", o.Repair), slog.Duration("took", run.rep.Took))
	return run.rep, nil
}

// run is the state of one Run.
type run struct {
	r      *Reconciler
	o      Options
	cutoff time.Time
	rep    Report
	// suspects are ids the scan found different, to be re-checked.
	suspects []uuid.UUID
}

// items merges the items of Postgres with the documents of the index, both
// in id order, a page of each at a time, and checks each page of items
// against the audit trail.
func (x *run) items(ctx context.Context) error {
	pg := &stream[row]{next: func(after uuid.UUID) ([]row, error) {
		rows, err := itemPage(ctx, x.r.db, after, x.r.pageSize)
		if err == nil {
			x.rep.Items += len(rows)
			err = x.auditPage(ctx, rows, events.EntityItem, string(events.ItemCreated), &x.rep.ItemsWithoutCreation)
		}
		return rows, err
	}, id: func(r row) uuid.UUID { return r.ID }}
	es := &stream[search.StoredDocument]{next: func(after uuid.UUID) ([]search.StoredDocument, error) {
		docs, err := x.r.index.ScanPage(ctx, after, x.r.pageSize)
		x.rep.Documents += len(docs)
		return docs, err
	}, id: func(d search.StoredDocument) uuid.UUID { return d.ID }}
	for {
		p, pok, err := pg.peek()
		if err != nil {
			return err
		}
		d, dok, err := es.peek()
		if err != nil {
			return err
		}
		switch {
		case !pok && !dok:
			return x.recheck(ctx)
		case pok && (!dok || compareIDs(p.ID, d.ID) < 0): // item without a document
			if p.UpdatedAt.Before(x.cutoff) {
				x.suspects = append(x.suspects, p.ID)
			}
			pg.pop()
		case dok && (!pok || compareIDs(d.ID, p.ID) < 0): // document without an item
			x.suspects = append(x.suspects, d.ID)
			es.pop()
		default: // both: versions must match
			if p.Version != d.Version && p.UpdatedAt.Before(x.cutoff) {
				x.suspects = append(x.suspects, p.ID)
			}
			pg.pop()
			es.pop()
		}
		if len(x.suspects) >= recheckBatch {
			if err := x.recheck(ctx); err != nil {
				return err
			}
		}
	}
}

// recheck looks at the suspects again in real time (Postgres rows,
// Elasticsearch's real-time get), counts those that still differ, and
// repairs them when asked.
func (x *run) recheck(ctx context.Context) error {
	if len(x.suspects) == 0 {
		return nil
	}
	ids := x.suspects
	x.suspects = x.suspects[:0:0]
	rows, err := itemsByID(ctx, x.r.db, ids)
	if err != nil {
		return err
	}
	stored, err := x.r.index.StoredVersions(ctx, ids)
	if err != nil {
		return fmt.Errorf("re-check documents: %w", err)
	}
	var fix []search.Change
	for _, id := range ids {
		row, inPG := rows[id]
		v, inES := stored[id]
		if inPG && !row.UpdatedAt.Before(x.cutoff) {
			continue // changed meanwhile: the indexer has it in hand
		}
		switch {
		case inPG && !inES:
			x.rep.Missing.add(id)
		case !inPG && inES:
			x.rep.Orphans.add(id)
		case inPG && v < row.Version:
			x.rep.Stale.add(id)
		case inPG && v > row.Version:
			x.rep.Ahead.add(id)
			continue // a lower external version would be refused
		default:
			continue // in step after all (or gone from both)
		}
		fix = append(fix, search.Change{ItemID: id})
	}
	if !x.o.Repair || len(fix) == 0 {
		return nil
	}
	res, err := x.r.syncer.Sync(ctx, fix)
	if err != nil {
		return fmt.Errorf("repair %d items: %w", len(fix), err)
	}
	x.rep.Repaired += res.Upserted + res.Deleted
	return nil
}

// auditPage checks that every row of a page older than the cutoff has
// exactly one creation event.
func (x *run) auditPage(ctx context.Context, rows []row, entityType, eventType string, missing *Drift) error {
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		if r.CreatedAt.Before(x.cutoff) {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	counts, err := creationCounts(ctx, x.r.db, entityType, eventType, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		switch n := counts[id]; {
		case n == 0:
			missing.add(id)
		case n > 1:
			x.rep.DuplicateCreations.add(id)
		}
	}
	return nil
}

// collections checks every collection against the audit trail.
func (x *run) collections(ctx context.Context) error {
	after := uuid.Nil
	for {
		rows, err := collectionPage(ctx, x.r.db, after, x.r.pageSize)
		if err != nil {
			return err
		}
		if err := x.auditPage(ctx, rows, events.EntityCollection, string(events.CollectionCreated), &x.rep.CollectionsWithoutCreation); err != nil {
			return err
		}
		if len(rows) < x.r.pageSize {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// stream reads a sequence in id order a page at a time.
type stream[T any] struct {
	next func(after uuid.UUID) ([]T, error)
	id   func(T) uuid.UUID
	page []T
	pos  int
	last uuid.UUID
	done bool
}

// peek returns the current element, reading the next page when needed.
func (s *stream[T]) peek() (T, bool, error) {
	var zero T
	for s.pos >= len(s.page) {
		if s.done {
			return zero, false, nil
		}
		page, err := s.next(s.last)
		if err != nil {
			return zero, false, err
		}
		s.page, s.pos = page, 0
		if len(page) == 0 {
			s.done = true
			return zero, false, nil
		}
		s.last = s.id(page[len(page)-1])
	}
	return s.page[s.pos], true, nil
}

func (s *stream[T]) pop() { s.pos++ }

// compareIDs orders uuids as Postgres and the index's keyword sort both do:
// bytewise, which for lower-case hex is the order of their strings.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
