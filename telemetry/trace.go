package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentationName names Atlas' own tracer.
const InstrumentationName = "github.com/atlasapp/atlas"

// Tracer is Atlas' tracer from the process-wide provider (a no-op until
// cmd/atlas installed one).
func Tracer() trace.Tracer { return otel.Tracer(InstrumentationName) }

// Traceparent is the W3C traceparent of ctx's span, or "" when ctx has
// none.
func Traceparent(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return c["traceparent"]
}

// RemoteSpan is the span context a W3C traceparent names (invalid when tp
// is empty or malformed).
func RemoteSpan(tp string) trace.SpanContext {
	if tp == "" {
		return trace.SpanContext{}
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": tp})
	return trace.SpanContextFromContext(ctx)
}
