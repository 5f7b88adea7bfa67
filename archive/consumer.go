package archive

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/events"
)

// GroupID is the consumer group of the archive's event consumer.
const GroupID = "atlas-archive"

// Handle is an events.BatchHandler: it deletes the blobs of deleted items
// (ItemDeleted) and of deleted collections (CollectionDeleted), whose rows
// Postgres already removed with them. It is idempotent (deleting what is
// gone is not an error); an error makes the transport deliver the batch
// again. Anything it misses, `atlas reconcile` finds.
func (s *Service) Handle(ctx context.Context, batch []events.Delivery) error {
	for _, d := range batch {
		e := d.Envelope
		var prefix string
		switch e.Type {
		case events.ItemDeleted:
			prefix = itemPrefix(e.Entity.CollectionID, e.Entity.ID)
		case events.CollectionDeleted:
			prefix = collectionPrefix(e.Entity.CollectionID)
		default:
			continue
		}
		if e.Entity.CollectionID == uuid.Nil {
			continue
		}
		if _, err := blob.DeletePrefix(ctx, s.blobs, prefix); err != nil {
			return fmt.Errorf("archive: delete copies of %s %s: %w", e.Entity.Type, e.Entity.ID, err)
		}
	}
	return nil
}

var _ events.Handler = (*Service)(nil)
