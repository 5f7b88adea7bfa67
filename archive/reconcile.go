package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/blob"
)

// DefaultOrphanGrace is how old a blob no row names must be before
// Reconcile removes it: longer than an ARCHIVE_PAGE job, which writes its
// blobs a moment before the rows that name them.
const DefaultOrphanGrace = time.Hour

// reconcileBatch is how many keys Reconcile checks against Postgres at once.
const reconcileBatch = 500

// OrphanReport is what Reconcile found.
type OrphanReport struct {
	// Blobs is how many blobs were looked at; Orphans how many no row
	// names (older than the grace period); Removed how many were deleted.
	Blobs, Orphans, Removed int
	// OrphanBytes is the size of the orphans.
	OrphanBytes int64
}

// Reconcile finds the blobs under Prefix that no copy row names (left by a
// crash between writing a blob and committing its row, by a missed
// deletion event, or by a restore of the database) and, with repair,
// deletes them. Blobs younger than grace are left alone.
func (s *Service) Reconcile(ctx context.Context, grace time.Duration, repair bool) (OrphanReport, error) {
	var rep OrphanReport
	cutoff := s.now().Add(-grace)
	var pending []blob.Info
	var orphans []blob.Info
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		keys := make([]string, len(pending))
		for i, b := range pending {
			keys[i] = b.Key
		}
		known, err := s.store.known(ctx, s.pool, keys)
		if err != nil {
			return err
		}
		for _, b := range pending {
			if !known[b.Key] {
				orphans = append(orphans, b)
			}
		}
		pending = pending[:0]
		return nil
	}
	err := s.blobs.List(ctx, Prefix, func(b blob.Info) error {
		rep.Blobs++
		if b.Modified.After(cutoff) {
			return nil
		}
		pending = append(pending, b)
		if len(pending) == reconcileBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return rep, fmt.Errorf("archive reconcile: %w", err)
	}
	for _, o := range orphans {
		rep.Orphans++
		rep.OrphanBytes += o.Size
		if !repair {
			continue
		}
		if err := s.blobs.Delete(ctx, o.Key); err != nil {
			return rep, fmt.Errorf("archive reconcile: %w", err)
		}
		rep.Removed++
	}
	return rep, nil
}
