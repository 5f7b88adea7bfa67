package telemetry_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas/telemetry"
)

func TestTraceparent_RoundTripsThroughRemoteSpan(t *testing.T) {
	t.Parallel()
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	sc := telemetry.RemoteSpan(tp)
	assert.True(t, sc.IsValid() && sc.IsRemote() && sc.IsSampled())
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", sc.TraceID().String())
	assert.Equal(t, tp, telemetry.Traceparent(trace.ContextWithSpanContext(context.Background(), sc)))

	for _, bad := range []string{"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"} {
		assert.False(t, telemetry.RemoteSpan(bad).IsValid(), "%q", bad)
	}
	assert.Empty(t, telemetry.Traceparent(context.Background()), "no span, no traceparent")
}
