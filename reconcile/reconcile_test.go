package reconcile_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/reconcile"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/search/searchtest"
	"github.com/atlasapp/atlas/testfactory"
)

// fixture is the domain services on a database whose items are all indexed and audited,
// with a reconciler on an index of the test's own.
type fixture struct {
	env    *testfactory.Env
	index  *search.Index
	syncer *search.Syncer
	rec    *reconcile.Reconciler
	owner  testfactory.User
	coll   uuid.UUID
	items  []item.Item
}

// setup creates n items in one collection, indexes them and records their
// creation events, with a page size small enough that every stream spans
// several pages.
func setup(t *testing.T, n int) fixture {
	t.Helper()
	env := testfactory.New(t)
	ix := searchtest.NewIndex(t, search.RefreshWaitFor)
	syncer, err := search.NewSyncer(search.SyncerParams{DB: env.Pool, Index: ix})
	require.NoError(t, err)
	rec, err := reconcile.New(reconcile.Params{DB: env.Pool, Syncer: syncer, PageSize: 7})
	require.NoError(t, err)
	f := fixture{env: env, index: ix, syncer: syncer, rec: rec, owner: env.NewUser(t)}
	c := env.NewCollection(t, f.owner)
	f.coll = c.ID
	var changes []search.Change
	for range n {
		it := env.NewItem(t, f.owner, f.coll, item.CreateParams{})
		f.items = append(f.items, it)
		changes = append(changes, search.Change{ItemID: it.ID})
	}
	_, err = syncer.Sync(t.Context(), changes)
	require.NoError(t, err)
	f.audit(t, events.EntityCollection, events.CollectionCreated, c.ID)
	for _, it := range f.items {
		f.audit(t, events.EntityItem, events.ItemCreated, it.ID)
	}
	return f
}

// audit records a creation event in the audit trail, as the audit
// consumer would.
func (f fixture) audit(t *testing.T, entityType string, typ events.Type, id uuid.UUID) {
	t.Helper()
	env, err := events.New(typ, &f.owner.ID, events.Entity{Type: entityType, ID: id, CollectionID: f.coll}, nil, events.Meta{RequestID: "reconcile-test"})
	require.NoError(t, err)
	rec := audit.NewRecorder(audit.RecorderParams{DB: f.env.Pool})
	require.NoError(t, rec.Handle(t.Context(), []broker.Delivery{{Envelope: env}}))
}

func (f fixture) run(t *testing.T, o reconcile.Options) reconcile.Report {
	t.Helper()
	rep, err := f.rec.Run(t.Context(), o)
	require.NoError(t, err)
	return rep
}

func TestReconcile_InStepReportsNoDrift(t *testing.T) {
	t.Parallel()
	f := setup(t, 20)
	rep := f.run(t, reconcile.Options{})
	assert.Equal(t, 20, rep.Items)
	assert.Equal(t, 20, rep.Documents)
	assert.Zero(t, rep.SearchDrift(), rep.String())
	assert.Zero(t, rep.AuditDrift(), rep.String())
	assert.Zero(t, rep.Unrepaired(false))
}

func TestReconcile_FindsEveryKindOfDriftAndRepairsTheIndex(t *testing.T) {
	t.Parallel()
	f := setup(t, 20)
	ctx := t.Context()
	stale, deleted := f.items[9], f.items[15]
	// An item whose event never reached the indexer.
	missing := f.env.NewItem(t, f.owner, f.coll, item.CreateParams{})
	f.audit(t, events.EntityItem, events.ItemCreated, missing.ID)
	// A change the indexer never saw.
	title := "changed behind the indexer's back"
	_, err := f.env.Items.Update(ctx, f.owner.ID, stale.ID, item.UpdateParams{Title: &title})
	require.NoError(t, err)
	// A deletion the indexer never saw, and a document of an item that never was.
	require.NoError(t, f.env.Items.Delete(ctx, f.owner.ID, deleted.ID))
	ghost := uuid.Must(uuid.NewV7())
	require.NoError(t, f.index.Upsert(ctx, search.Document{ID: ghost, CollectionID: f.coll, Title: "ghost", Version: 1,
		CreatedBy: f.owner.ID, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}))
	// An item whose creation never reached the audit trail.
	unaudited := f.env.NewItem(t, f.owner, f.coll, item.CreateParams{})
	require.NoError(t, f.syncer.SyncItem(ctx, unaudited.ID))
	// And one whose creation was recorded twice (two distinct events).
	f.audit(t, events.EntityItem, events.ItemCreated, f.items[0].ID)

	rep := f.run(t, reconcile.Options{})
	assert.Equal(t, []uuid.UUID{missing.ID}, rep.Missing.IDs, rep.String())
	assert.Equal(t, []uuid.UUID{stale.ID}, rep.Stale.IDs, rep.String())
	assert.ElementsMatch(t, []uuid.UUID{deleted.ID, ghost}, rep.Orphans.IDs, rep.String())
	assert.Zero(t, rep.Ahead.Count)
	assert.Equal(t, []uuid.UUID{unaudited.ID}, rep.ItemsWithoutCreation.IDs, rep.String())
	assert.Equal(t, []uuid.UUID{f.items[0].ID}, rep.DuplicateCreations.IDs, rep.String())
	assert.Zero(t, rep.Repaired, "no repair without Repair")
	assert.Equal(t, 4+2, rep.Unrepaired(false))

	rep = f.run(t, reconcile.Options{Repair: true})
	assert.Equal(t, 4, rep.SearchDrift())
	assert.Equal(t, 4, rep.Repaired)
	assert.Equal(t, 2, rep.Unrepaired(true), "audit drift cannot be repaired")

	rep = f.run(t, reconcile.Options{})
	assert.Zero(t, rep.SearchDrift(), "the index matches Postgres after repair: %s", rep.String())
	assert.Equal(t, 21, rep.Documents)
	stored, err := f.index.StoredVersions(ctx, []uuid.UUID{missing.ID, stale.ID, deleted.ID, ghost})
	require.NoError(t, err)
	assert.Equal(t, map[uuid.UUID]int64{missing.ID: 1, stale.ID: stale.Version + 1}, stored)
}

func TestReconcile_IgnoresChangesYoungerThanTheGrace(t *testing.T) {
	t.Parallel()
	f := setup(t, 5)
	title := "still on its way to the index"
	_, err := f.env.Items.Update(t.Context(), f.owner.ID, f.items[2].ID, item.UpdateParams{Title: &title})
	require.NoError(t, err)
	f.env.NewItem(t, f.owner, f.coll, item.CreateParams{}) // neither indexed nor audited yet

	rep := f.run(t, reconcile.Options{Grace: time.Hour})
	assert.Zero(t, rep.SearchDrift(), rep.String())
	assert.Zero(t, rep.AuditDrift(), rep.String())
	rep = f.run(t, reconcile.Options{})
	assert.Equal(t, 2, rep.SearchDrift(), rep.String())
	assert.Equal(t, 1, rep.AuditDrift(), rep.String())
}
