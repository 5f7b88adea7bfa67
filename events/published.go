package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/retry"
)

// errStillWaiting is a poll of WaitPublished that found events left.
var errStillWaiting = errors.New("earlier events are still in the outbox")

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
	wait, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	// A fixed interval, the drainers' own poll interval: a wait ends about
	// as soon as a drain does.
	poll := retry.Backoff{Base: DefaultPollInterval, Max: DefaultPollInterval}
	err := poll.Do(wait, 0, func(int) error {
		var waiting bool
		if err := q.QueryRow(wait, `SELECT EXISTS (SELECT 1 FROM atlas_outbox WHERE seq <= $1)`, last).Scan(&waiting); err != nil {
			return retry.Permanent(fmt.Errorf("wait for the outbox: %w", err))
		}
		if waiting {
			return errStillWaiting
		}
		return nil
	})
	switch {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	case wait.Err() != nil:
		return false, nil // within has passed (perhaps during a poll)
	}
	return false, err
}
