package item

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// DefaultImportBatch is how many entries of a file one transaction
// handles.
const DefaultImportBatch = 250

// DefaultImportRest is RunImportOpts.Rest's default: rest as long as each
// batch took. Measured with every Atlas process on one 2-core machine
// (BenchmarkImportEveryProcess in cmd/atlas, with the job's outbox wait),
// resting twice as long changed the p99 of other requests during an import
// no more than the run-to-run noise, while a client that keeps a core busy
// already stretches a 10k import to about 17 s; see the README.
const DefaultImportRest = 1

// RunImportOpts tunes RunImport.
type RunImportOpts struct {
	// BatchSize is the number of entries per transaction
	// (DefaultImportBatch when zero).
	BatchSize int
	// Rest is how long the import pauses after each batch, as a fraction
	// of the time the batch took (DefaultImportRest when zero; negative: no
	// pause), so that on a small machine an import leaves the database and
	// the CPU to interactive requests part of the time.
	Rest float64
	// Settle, if set, is called after each committed batch, before the
	// rest: it waits until what the batch set off downstream has caught up
	// (the IMPORT_BOOKMARKS job waits for the outbox to drain), so the
	// import goes no faster than its events are published.
	Settle func(ctx context.Context) error
	// AfterBatchFunc is called after each committed batch with the number
	// of entries done; an error stops the run there (as a crash would).
	AfterBatchFunc func(position int64) error
}

// ErrImportAccessLost is why an import stops when its uploader may no
// longer write to the collection.
var ErrImportAccessLost = errors.New("the uploader may no longer add items to the collection")

// RunImport works an import through to the end: it streams the stored file,
// turns each entry into an item (or a report line saying why not) and
// commits every BatchSize entries in one transaction with their items,
// events (ItemCreated / ItemUpdated through the outbox), enrichment jobs
// and the import's progress. Running it again after a crash resumes after
// the last committed batch, so nothing is imported twice. A finished import
// is left alone. It is what the IMPORT_BOOKMARKS job runs.
func (s *Service) RunImport(ctx context.Context, id uuid.UUID, opts RunImportOpts) (Import, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultImportBatch
	}
	if opts.Rest == 0 {
		opts.Rest = DefaultImportRest
	}
	imp, err := s.imports.get(ctx, s.pool, id, false)
	if err != nil || imp.Finished() {
		return imp, err
	}
	if err := s.imports.start(ctx, s.pool, id, s.nowUTC()); err != nil {
		return Import{}, err
	}
	src := &chunkReader{ctx: ctx, q: s.pool, id: id}
	var entries entryReader = newNetscapeReader(src)
	if imp.Format == FormatJSON {
		entries = newJSONReader(src)
	}
	var pos int64
	batch := make([]Entry, 0, opts.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		start := time.Now()
		if err := s.importBatch(ctx, imp, batch, pos, src.read); err != nil {
			return err
		}
		batch = batch[:0]
		took := time.Since(start)
		if opts.Settle != nil {
			if err := opts.Settle(ctx); err != nil {
				return err
			}
		}
		if opts.Rest > 0 {
			pause := time.NewTimer(time.Duration(opts.Rest * float64(took)))
			select {
			case <-ctx.Done():
				pause.Stop()
				return ctx.Err()
			case <-pause.C:
			}
		}
		if opts.AfterBatchFunc != nil {
			return opts.AfterBatchFunc(pos)
		}
		return nil
	}
	for {
		e, err := entries.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Import{}, fmt.Errorf("run import %s: %w", id, err)
		}
		pos++
		if pos <= imp.Position {
			continue // done before a crash
		}
		batch = append(batch, e)
		if len(batch) == opts.BatchSize {
			if err := flush(); err != nil {
				return s.stopped(ctx, id, err)
			}
		}
	}
	if err := flush(); err != nil {
		return s.stopped(ctx, id, err)
	}
	return s.FinishImport(ctx, id, ImportSucceeded, "")
}

// stopped ends an import whose uploader lost access as FAILED; any other
// error is returned for the job to retry.
func (s *Service) stopped(ctx context.Context, id uuid.UUID, err error) (Import, error) {
	if errors.Is(err, ErrImportAccessLost) {
		return s.FinishImport(ctx, id, ImportFailed, ErrImportAccessLost.Error())
	}
	return Import{}, fmt.Errorf("run import %s: %w", id, err)
}

// FinishImport ends an import with a status (the job marks it FAILED when
// it runs out of attempts), drops its stored file and records its result
// in the collection's activity. An import that already ended is returned
// as it is.
func (s *Service) FinishImport(ctx context.Context, id uuid.UUID, status ImportStatus, failure string) (Import, error) {
	var out Import
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		imp, err := s.imports.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if imp.Finished() {
			out = imp
			return nil
		}
		now := s.nowUTC()
		if err := s.imports.finish(ctx, tx, id, status, failure, now); err != nil {
			return err
		}
		imp.Status, imp.Failure, imp.FinishedAt = status, failure, &now
		if status == ImportSucceeded {
			imp.BytesDone = imp.SizeBytes
		}
		out = imp
		return s.events.Record(ctx, tx, events.ImportFinished, imp.CreatedBy,
			events.Entity{Type: events.EntityCollection, ID: imp.CollectionID, CollectionID: imp.CollectionID},
			map[string]any{"import_id": imp.ID, "status": imp.Status, "format": imp.Format, "total": imp.Total,
				"created": imp.Created, "updated": imp.Updated, "skipped": imp.Skipped, "failed": imp.Failed, "failure": failure})
	})
	if err != nil {
		return Import{}, fmt.Errorf("finish import %s: %w", id, err)
	}
	return out, nil
}

// importBatch handles entries (the file's entries up to position end) in
// one transaction.
func (s *Service) importBatch(ctx context.Context, imp Import, entries []Entry, end, bytesDone int64) error {
	first := end - int64(len(entries)) + 1
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := s.imports.get(ctx, tx, imp.ID, true)
		if err != nil {
			return err
		}
		if cur.Position >= end {
			return nil // another attempt got here first
		}
		if cur.Position != first-1 {
			return fmt.Errorf("import %s is at entry %d, not %d", imp.ID, cur.Position, first-1)
		}
		if imp.CreatedBy == nil {
			return ErrImportAccessLost
		}
		if _, err := s.collections.Authorize(ctx, tx, *imp.CreatedBy, imp.CollectionID, collection.ActionWriteItems); err != nil {
			if errors.Is(err, atlas.ErrForbidden) || errors.Is(err, atlas.ErrNotFound) {
				return ErrImportAccessLost
			}
			return err
		}
		plan, err := s.planBatch(ctx, tx, imp, entries, first)
		if err != nil {
			return err
		}
		plan.progress.position, plan.progress.bytesDone = end, bytesDone
		return s.applyBatch(ctx, tx, imp, plan)
	})
}

// batchPlan is what a batch will write.
type batchPlan struct {
	inserts  []Item
	updates  []update
	progress progress
}

type update struct {
	before, after Item
}

// planBatch decides for every entry whether it creates an item, updates
// one, or is reported as skipped or failed.
func (s *Service) planBatch(ctx context.Context, tx pgx.Tx, imp Import, entries []Entry, first int64) (batchPlan, error) {
	var plan batchPlan
	now := s.nowUTC()
	cands := make([]Item, len(entries))
	reasons := make([]ImportEntry, len(entries))
	keys := make([]string, len(entries)) // normalised URL of each candidate
	var lookup []string
	for i, e := range entries {
		cands[i], reasons[i] = importItem(imp, e, now)
		if reasons[i].Outcome == "" && cands[i].SourceURL != nil {
			k, _ := linkKeys(cands[i])
			keys[i] = *k
			lookup = append(lookup, keys[i])
		}
	}
	existing, err := s.store.ByLinkKey(ctx, tx, imp.CollectionID, lookup)
	if err != nil {
		return plan, err
	}
	newAt := map[string]int{}    // normalised URL → index in plan.inserts
	updAt := map[uuid.UUID]int{} // item → index in plan.updates
	lineOf := map[string]int{}   // normalised URL → line of its first entry in this batch
	for i, it := range cands {
		pos := first + int64(i)
		if reasons[i].Outcome != "" {
			plan.report(pos, reasons[i])
			continue
		}
		if it.SourceURL == nil {
			plan.inserts = append(plan.inserts, it)
			plan.progress.created++
			continue
		}
		u := keys[i]
		skip := func(reason string) {
			plan.report(pos, ImportEntry{Line: entries[i].Line, Outcome: OutcomeSkipped, URL: *it.SourceURL, Title: it.Title, Reason: reason})
		}
		if k, ok := newAt[u]; ok { // earlier in this batch, not stored yet
			if imp.OnDuplicate == DuplicateSkip {
				skip(fmt.Sprintf("duplicate of the bookmark on line %d", lineOf[u]))
				continue
			}
			plan.inserts[k] = overwrite(plan.inserts[k], it)
			plan.progress.updated++
			continue
		}
		ex, ok := existing[u]
		if !ok {
			newAt[u], lineOf[u] = len(plan.inserts), entries[i].Line
			plan.inserts = append(plan.inserts, it)
			plan.progress.created++
			continue
		}
		if imp.OnDuplicate == DuplicateSkip {
			skip("already in the collection")
			continue
		}
		before := ex
		if k, ok := updAt[ex.ID]; ok {
			before = plan.updates[k].after
		}
		after := overwrite(before, it)
		if len(diff(before, after)) == 0 {
			skip("already in the collection, unchanged")
			continue
		}
		after.Version, after.UpdatedAt = before.Version+1, now
		if k, ok := updAt[ex.ID]; ok {
			plan.updates[k].after = after
		} else {
			updAt[ex.ID] = len(plan.updates)
			plan.updates = append(plan.updates, update{before: ex, after: after})
		}
		plan.progress.updated++
	}
	return plan, nil
}

func (p *batchPlan) report(pos int64, e ImportEntry) {
	if e.Outcome == OutcomeSkipped {
		p.progress.skipped++
	} else {
		p.progress.failed++
	}
	p.progress.report = append(p.progress.report, reportRow{position: pos, entry: e})
}

// overwrite gives an item the fields a file states for it (on_duplicate
// update), keeping its identity and creation.
func overwrite(it, from Item) Item {
	it.Title, it.Description, it.Tags = from.Title, from.Description, from.Tags
	if from.Notes != "" {
		it.Notes = from.Notes
	}
	return it
}

// applyBatch writes a planned batch: items, tags and progress in one round
// trip, then the events and the enrichment jobs.
func (s *Service) applyBatch(ctx context.Context, tx pgx.Tx, imp Import, plan batchPlan) error {
	b := &pgx.Batch{}
	evs := make([]events.Event, 0, len(plan.inserts)+len(plan.updates))
	queueInsert(b, imp.CollectionID, plan.inserts...)
	for _, it := range plan.inserts {
		evs = append(evs, events.Event{Type: events.ItemCreated, Actor: imp.CreatedBy, Entity: itemEntity(it), Data: map[string]any{
			"title": it.Title, "source_url": it.SourceURL, "description": it.Description,
			"notes": it.Notes, "tags": it.Tags, "version": it.Version, "import_id": imp.ID,
		}})
	}
	for _, u := range plan.updates {
		changes := diff(u.before, u.after)
		_, tagsChanged := changes["tags"]
		queueUpdate(b, u.after, tagsChanged)
		evs = append(evs, events.Event{Type: events.ItemUpdated, Actor: imp.CreatedBy, Entity: itemEntity(u.after),
			Data: map[string]any{"changes": changes, "version": u.after.Version, "import_id": imp.ID}})
	}
	s.imports.queueProgress(b, imp.ID, plan.progress)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("import batch: %w", err)
	}
	if err := s.events.RecordAll(ctx, tx, evs); err != nil {
		return err
	}
	for _, hook := range s.onImport {
		if err := hook(ctx, tx, plan.inserts); err != nil {
			return err
		}
	}
	return nil
}

// entryTime is an entry's time, or fallback when the file gives none.
func entryTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.UTC().Truncate(time.Microsecond)
}
