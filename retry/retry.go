// Package retry holds Atlas' one backoff policy and its one way of saying
// "retrying cannot help". River jobs (NextRetry), the Kafka consumer's
// failed batches and anything else that retries ask Backoff for the delay
// before the next attempt, so every retry in the system grows, caps and
// spreads out the same way; code that retries in-process calls Backoff.Do
// (or waits with Sleep) instead of writing its own loop. A handler that
// knows retrying is pointless wraps its error with Permanent, and the
// runner tests it with IsPermanent.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is an exponential retry delay: Base after the first failed
// attempt, doubling for every later one, never more than Max, with ±10 %
// random jitter so that work that failed together does not retry together.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// Delay is the wait after failed attempt number attempt (1-based).
func (b Backoff) Delay(attempt int) time.Duration {
	return b.DelayAtLeast(attempt, 0)
}

// DelayAtLeast is Delay but at least floor (a server's Retry-After, say),
// and still never more than Max.
func (b Backoff) DelayAtLeast(attempt int, floor time.Duration) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	d += time.Duration((rand.Float64()*0.2 - 0.1) * float64(d))
	return min(max(d, floor), b.Max)
}

// Or fills a zero (or negative) Base or Max of b from def, so a caller's
// partial setting keeps the defaults it did not set; Max is never below
// Base.
func (b Backoff) Or(def Backoff) Backoff {
	if b.Base <= 0 {
		b.Base = def.Base
	}
	if b.Max <= 0 {
		b.Max = max(def.Max, b.Base)
	}
	return b
}

// Do calls op until it succeeds, returns an error marked with Permanent, or
// has been called attempts times (attempts <= 0: no limit), waiting
// b.Delay(n) after failed attempt n. op gets the attempt number (1-based),
// for logging. Do returns nil, op's last error (without the Permanent mark
// op put on it: the retrying stopped here), or, when ctx ends first, an
// error wrapping both ctx.Err() and op's last error.
func (b Backoff) Do(ctx context.Context, attempts int, op func(attempt int) error) error {
	for attempt := 1; ; attempt++ {
		err := op(attempt)
		if err == nil {
			return nil
		}
		if p, ok := err.(*PermanentError); ok { //nolint:errorlint // only op's own mark, not one it wraps
			return p.Err
		}
		if IsPermanent(err) || (attempts > 0 && attempt >= attempts) {
			return err
		}
		if serr := Sleep(ctx, b.Delay(attempt)); serr != nil {
			return fmt.Errorf("%w (last attempt: %w)", serr, err)
		}
	}
}

// Sleep waits d, or less when ctx ends first, in which case it returns
// ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PermanentError marks an error that retrying will not fix: the work should
// record the failure instead of trying again.
type PermanentError struct {
	// Err is the underlying error.
	Err error
}

// Error returns the underlying error's message.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err (nil stays nil) to say retrying cannot help.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
