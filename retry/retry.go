// Package retry holds Atlas' one backoff policy and its one way of saying
// "retrying cannot help". River jobs (NextRetry), the Kafka consumer's
// failed batches and anything else that retries ask Backoff for the delay
// before the next attempt, so every retry in the system grows, caps and
// spreads out the same way; a handler that knows retrying is pointless
// wraps its error with Permanent, and the runner tests it with IsPermanent.
package retry

import (
	"errors"
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
