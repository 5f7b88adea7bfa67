package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas/correlation"
)

// Log formats (ATLAS_LOG_FORMAT).
const (
	// FormatJSON is one JSON object per line with slog's field names (time,
	// level, msg).
	FormatJSON = "json"
	// FormatGCP is Google Cloud Logging's structured JSON: severity,
	// message, time, logging.googleapis.com/trace (and spanId,
	// trace_sampled) from the trace the line belongs to, and httpRequest on
	// access log lines. The GKE logging agent turns each line into a log
	// entry with those fields.
	FormatGCP = "gcp"
	// FormatText is slog's key=value text, for a terminal.
	FormatText = "text"
)

// Formats lists the accepted log formats.
var Formats = []string{FormatJSON, FormatGCP, FormatText}

// HTTPRequestKey is the attribute an access log line carries its request
// under, as an HTTPRequest. Cloud Logging shows it as the entry's
// httpRequest; the other formats leave it out (their lines carry method,
// route, status and duration as attributes of their own).
const HTTPRequestKey = "httpRequest"

// HTTPRequest describes a served request, as Cloud Logging's HttpRequest.
type HTTPRequest struct {
	Method       string
	URL          string
	Status       int
	ResponseSize int64
	UserAgent    string
	RemoteIP     string
	Protocol     string
	Latency      time.Duration
}

// logValue is the request in Cloud Logging's field names and encodings
// (sizes as decimal strings, latency as seconds with an "s" suffix).
func (h HTTPRequest) logValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("requestMethod", h.Method),
		slog.String("requestUrl", h.URL),
		slog.Int("status", h.Status),
		slog.String("responseSize", strconv.FormatInt(h.ResponseSize, 10)),
		slog.String("latency", strconv.FormatFloat(h.Latency.Seconds(), 'f', 9, 64)+"s"),
	}
	if h.UserAgent != "" {
		attrs = append(attrs, slog.String("userAgent", h.UserAgent))
	}
	if h.RemoteIP != "" {
		attrs = append(attrs, slog.String("remoteIp", h.RemoteIP))
	}
	if h.Protocol != "" {
		attrs = append(attrs, slog.String("protocol", h.Protocol))
	}
	return slog.GroupValue(attrs...)
}

// LogOptions configure NewLogger.
type LogOptions struct {
	// Format is one of Formats; empty means FormatJSON.
	Format string
	// Level is the lowest level written.
	Level slog.Level
	// Project is the Google Cloud project id that qualifies trace ids in
	// FormatGCP (projects/<id>/traces/<trace id>); empty writes the bare
	// trace id.
	Project string
}

// NewLogger returns a logger writing to w in opts.Format.
func NewLogger(w io.Writer, opts LogOptions) (*slog.Logger, error) {
	ho := &slog.HandlerOptions{Level: opts.Level}
	switch opts.Format {
	case "", FormatJSON:
		return slog.New(&handler{inner: slog.NewJSONHandler(w, ho)}), nil
	case FormatText:
		return slog.New(&handler{inner: slog.NewTextHandler(w, ho)}), nil
	case FormatGCP:
		ho.ReplaceAttr = gcpField
		return slog.New(&handler{inner: slog.NewJSONHandler(w, ho), gcp: true, project: opts.Project}), nil
	default:
		return nil, fmt.Errorf("log format %q: want one of %v", opts.Format, Formats)
	}
}

// gcpField renames slog's built-in fields to Cloud Logging's.
func gcpField(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		level, _ := a.Value.Any().(slog.Level)
		return slog.String("severity", Severity(level))
	case slog.MessageKey:
		a.Key = "message"
	}
	return a
}

// Severity is Cloud Logging's severity for a slog level.
func Severity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	default:
		return "ERROR"
	}
}

// Cloud Logging's special fields of a structured line.
const (
	gcpTraceKey   = "logging.googleapis.com/trace"
	gcpSpanKey    = "logging.googleapis.com/spanId"
	gcpSampledKey = "logging.googleapis.com/trace_sampled"
)

// handler renders HTTPRequest attributes per format and, for Cloud
// Logging, adds the trace a line belongs to.
type handler struct {
	inner   slog.Handler
	gcp     bool
	project string
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{inner: h.inner.WithAttrs(as), gcp: h.gcp, project: h.project}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{inner: h.inner.WithGroup(name), gcp: h.gcp, project: h.project}
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	traceID := ""
	r.Attrs(func(a slog.Attr) bool {
		switch {
		case a.Key == HTTPRequestKey:
			if req, ok := a.Value.Any().(HTTPRequest); ok {
				if h.gcp {
					out.AddAttrs(slog.Attr{Key: HTTPRequestKey, Value: req.logValue()})
				}
				return true
			}
		case a.Key == "trace_id" && a.Value.Kind() == slog.KindString:
			traceID = a.Value.String()
		}
		out.AddAttrs(a)
		return true
	})
	if h.gcp {
		h.addTrace(ctx, &out, traceID)
	}
	return h.inner.Handle(ctx, out)
}

// addTrace adds the line's trace: the trace_id attribute it was logged
// with, else the correlation ids of ctx (the request or job it belongs to),
// else ctx's span. The span id is added when the span is in that trace.
func (h *handler) addTrace(ctx context.Context, r *slog.Record, traceID string) {
	sc := trace.SpanContextFromContext(ctx)
	if traceID == "" {
		if ids, ok := correlation.Lookup(ctx); ok {
			traceID = ids.TraceID
		}
	}
	if traceID == "" && sc.IsValid() {
		traceID = sc.TraceID().String()
	}
	if traceID == "" {
		return
	}
	qualified := traceID
	if h.project != "" {
		qualified = "projects/" + h.project + "/traces/" + traceID
	}
	r.AddAttrs(slog.String(gcpTraceKey, qualified))
	if sc.IsValid() && sc.TraceID().String() == traceID {
		r.AddAttrs(slog.String(gcpSpanKey, sc.SpanID().String()), slog.Bool(gcpSampledKey, sc.IsSampled()))
	}
}
