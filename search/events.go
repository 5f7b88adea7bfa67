package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/events"
)

// GroupID is the consumer group of the indexer (on Kafka, its consumer
// group id).
const GroupID = "atlas-indexer"

// Handle is an events.BatchHandler (Syncer is the indexer's events.Handler): it turns a batch of events into one Sync and the deletion of
// deleted collections. ItemCreated, ItemUpdated, ItemDeleted and ItemLinkStatusChanged name items to re-read from
// Postgres (each item once per batch, whatever the number of its events); CollectionDeleted
// removes the collection's documents; other events are ignored. Returning nil means Elasticsearch
// acknowledged everything, so the consumer may commit the offsets; an error makes it retry the
// batch with backoff (for example while Elasticsearch is down).
func (s *Syncer) Handle(ctx context.Context, batch []events.Delivery) error {
	changes, collections := changesOf(batch)
	for _, c := range collections {
		if err := s.withIndex(ctx, func() error { return s.DeleteCollection(ctx, c) }); err != nil {
			return fmt.Errorf("index batch: %w", err)
		}
	}
	var res SyncResult
	err := s.withIndex(ctx, func() (err error) {
		res, err = s.Sync(ctx, changes)
		return err
	})
	if err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	if len(changes) > 0 || len(collections) > 0 {
		s.log.DebugContext(ctx, "search batch indexed", "events", len(batch), "items", len(changes),
			"upserted", res.Upserted, "deleted", res.Deleted, "collections_deleted", len(collections))
	}
	return nil
}

// withIndex runs fn and, if the alias turns out not to exist (someone deleted the index),
// creates an empty index and runs fn again. Items not written since then are missing until
// `atlas search reindex` runs, which the warning says.
func (s *Syncer) withIndex(ctx context.Context, fn func() error) error {
	err := fn()
	if !errors.Is(err, ErrNoIndex) {
		return err
	}
	s.log.WarnContext(ctx, "search index alias is missing: creating an empty index; run `atlas search reindex` to load every item",
		"alias", s.index.Alias())
	if err := s.index.EnsureIndex(ctx); err != nil {
		return err
	}
	return fn()
}

// itemData is the part of an item event's data the indexer reads.
type itemData struct {
	Version *int64 `json:"version"`
}

// changesOf extracts the items to sync and the collections to delete from a batch.
func changesOf(batch []events.Delivery) ([]Change, []uuid.UUID) {
	var changes []Change
	var collections []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, d := range batch {
		e := d.Envelope
		switch e.Type {
		case events.ItemCreated, events.ItemUpdated, events.ItemDeleted, events.ItemLinkStatusChanged:
			var data itemData
			if err := json.Unmarshal(e.Data, &data); err != nil {
				// The envelope passed the schema check; retrying cannot fix this, but
				// re-reading Postgres does not need the version, so carry on without it.
				data = itemData{}
			}
			c := Change{ItemID: e.Entity.ID}
			if data.Version != nil {
				c.MinDeleteVersion = *data.Version
				if e.Type != events.ItemDeleted {
					c.MinDeleteVersion++
				}
			}
			changes = append(changes, c)
		case events.CollectionDeleted:
			if !seen[e.Entity.CollectionID] {
				seen[e.Entity.CollectionID] = true
				collections = append(collections, e.Entity.CollectionID)
			}
		}
	}
	return changes, collections
}

var _ events.Handler = (*Syncer)(nil)
