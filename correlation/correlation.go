// Package correlation carries the ids that tie a request to everything it
// causes (events, jobs, log lines) through a context.Context.
package correlation

import (
	"context"

	"github.com/google/uuid"
)

// IDs are the correlation ids of one unit of work.
type IDs struct {
	// RequestID identifies the API request (or job) that started the work.
	RequestID string
	// TraceID is the W3C trace id (32 lower-case hex digits).
	TraceID string
}

type ctxKey struct{}

// With returns ctx carrying ids.
func With(ctx context.Context, ids IDs) context.Context {
	return context.WithValue(ctx, ctxKey{}, ids)
}

// Lookup returns the ids in ctx, if any were put there.
func Lookup(ctx context.Context) (IDs, bool) {
	ids, ok := ctx.Value(ctxKey{}).(IDs)
	return ids, ok
}

// From returns the ids in ctx. Work that did not start from an API request
// gets a fresh request id, so events always name one.
func From(ctx context.Context) IDs {
	ids, _ := Lookup(ctx)
	if ids.RequestID == "" {
		ids.RequestID = "internal-" + uuid.NewString()
	}
	return ids
}
