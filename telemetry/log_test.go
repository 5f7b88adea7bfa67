package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/telemetry"
)

func logLine(t *testing.T, opts telemetry.LogOptions, ctx context.Context, level slog.Level, msg string, attrs ...any) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	log, err := telemetry.NewLogger(&buf, opts)
	require.NoError(t, err)
	log.Log(ctx, level, msg, attrs...)
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line), "one JSON line: %s", buf.String())
	return line
}

func TestNewLogger_GCPFormatUsesCloudLoggingFieldNames(t *testing.T) {
	t.Parallel()
	for level, severity := range map[slog.Level]string{
		slog.LevelDebug: "DEBUG", slog.LevelInfo: "INFO", slog.LevelWarn: "WARNING", slog.LevelError: "ERROR", slog.LevelError + 4: "ERROR",
	} {
		line := logLine(t, telemetry.LogOptions{Format: telemetry.FormatGCP, Level: slog.LevelDebug}, context.Background(), level, "hello", "k", "v")
		assert.Equal(t, severity, line["severity"], "level %s", level)
		assert.Equal(t, "hello", line["message"])
		assert.Equal(t, "v", line["k"])
		assert.NotContains(t, line, "level")
		assert.NotContains(t, line, "msg")
		ts, err := time.Parse(time.RFC3339Nano, line["time"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), ts, time.Minute)
	}
}

func TestNewLogger_GCPFormatNamesTheTraceOfTheRequestOrSpan(t *testing.T) {
	t.Parallel()
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	opts := telemetry.LogOptions{Format: telemetry.FormatGCP, Project: "my-project"}

	// A request's correlation ids, no span: the trace, no span id.
	ctx := correlation.With(context.Background(), correlation.IDs{RequestID: "r1", TraceID: traceID})
	line := logLine(t, opts, ctx, slog.LevelInfo, "m")
	assert.Equal(t, "projects/my-project/traces/"+traceID, line["logging.googleapis.com/trace"])
	assert.NotContains(t, line, "logging.googleapis.com/spanId")

	// A span in that trace: its span id and sampled flag too.
	tid, err := trace.TraceIDFromHex(traceID)
	require.NoError(t, err)
	sid, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	require.NoError(t, err)
	sctx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	line = logLine(t, opts, sctx, slog.LevelInfo, "m")
	assert.Equal(t, "00f067aa0ba902b7", line["logging.googleapis.com/spanId"])
	assert.Equal(t, true, line["logging.googleapis.com/trace_sampled"])

	// An explicit trace_id attribute (a consumer logging an event's trace)
	// wins over the context's; without a project the id is bare.
	line = logLine(t, telemetry.LogOptions{Format: telemetry.FormatGCP}, sctx, slog.LevelInfo, "m", "trace_id", "0af7651916cd43dd8448eb211c80319c")
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", line["logging.googleapis.com/trace"])
	assert.NotContains(t, line, "logging.googleapis.com/spanId", "the span belongs to another trace")

	// Nothing to go by: no trace field.
	line = logLine(t, opts, context.Background(), slog.LevelInfo, "m")
	assert.NotContains(t, line, "logging.googleapis.com/trace")
}

func TestNewLogger_HTTPRequestIsCloudLoggingsOnlyInGCPFormat(t *testing.T) {
	t.Parallel()
	req := telemetry.HTTPRequest{Method: "POST", URL: "/api/v1/items?x=1", Status: 201, ResponseSize: 1234,
		UserAgent: "curl/8", RemoteIP: "10.0.0.7", Protocol: "HTTP/1.1", Latency: 1500 * time.Microsecond}

	line := logLine(t, telemetry.LogOptions{Format: telemetry.FormatGCP}, context.Background(), slog.LevelInfo, "request",
		"status", 201, slog.Any(telemetry.HTTPRequestKey, req))
	assert.Equal(t, map[string]any{
		"requestMethod": "POST", "requestUrl": "/api/v1/items?x=1", "status": float64(201), "responseSize": "1234",
		"userAgent": "curl/8", "remoteIp": "10.0.0.7", "protocol": "HTTP/1.1", "latency": "0.001500000s",
	}, line["httpRequest"])
	assert.EqualValues(t, 201, line["status"])

	line = logLine(t, telemetry.LogOptions{Format: telemetry.FormatJSON}, context.Background(), slog.LevelInfo, "request",
		"status", 201, slog.Any(telemetry.HTTPRequestKey, req))
	assert.NotContains(t, line, "httpRequest", "the JSON format has its own flat fields")
	assert.Equal(t, "INFO", line["level"])
	assert.Equal(t, "request", line["msg"])
}

func TestNewLogger_TextFormatAndUnknownFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log, err := telemetry.NewLogger(&buf, telemetry.LogOptions{Format: telemetry.FormatText})
	require.NoError(t, err)
	log.Info("hello", "k", "v")
	assert.True(t, strings.Contains(buf.String(), "msg=hello") && strings.Contains(buf.String(), "k=v"), buf.String())

	_, err = telemetry.NewLogger(&buf, telemetry.LogOptions{Format: "xml"})
	assert.EqualError(t, err, `log format "xml": want one of [json gcp text]`)
}

func TestNewLogger_LevelFilters(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log, err := telemetry.NewLogger(&buf, telemetry.LogOptions{Format: telemetry.FormatGCP, Level: slog.LevelWarn})
	require.NoError(t, err)
	log.Info("quiet")
	assert.Empty(t, buf.String())
	log.With("component", "c").Warn("loud")
	assert.Contains(t, buf.String(), `"severity":"WARNING"`)
	assert.Contains(t, buf.String(), `"component":"c"`)
}
