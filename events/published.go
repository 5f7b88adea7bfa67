package events

import (
	"context"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/db"
)

// WaitPublished blocks until every event committed to the outbox before the
// call has been published (its row deleted by a drainer), or until within
// has passed, and says which happened. It is backpressure for bulk writers
// such as an import: waiting after each batch until the drainers have caught
// up keeps one batch's events in flight at a time instead of letting them
// pile up while the writer runs ahead, and a stalled broker then slows the
// writer down (by at most within per batch) instead of growing the outbox.
func WaitPublished(ctx context.Context, q db.Querier, within time.Duration) (bool, error) {
	var last int64
	if err := q.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM atlas_outbox`).Scan(&last); err != nil {
		return false, fmt.Errorf("wait for the outbox: %w", err)
	}
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	// The drainers' own poll interval: a wait ends about as soon as a drain does.
	tick := time.NewTicker(DefaultPollInterval)
	defer tick.Stop()
	for {
		var waiting bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM atlas_outbox WHERE seq <= $1)`, last).Scan(&waiting); err != nil {
			return false, fmt.Errorf("wait for the outbox: %w", err)
		}
		if !waiting {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-deadline.C:
			return false, nil
		case <-tick.C:
		}
	}
}
