package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/telemetry"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestInfo is shared by the outer HTTP middleware and the inner Huma
// middleware: authentication fills UserID, the access log reads it.
type requestInfo struct {
	UserID   uuid.UUID
	ClientIP string
}

type requestInfoKey struct{}

// correlate gives every request a request id (a valid incoming X-Request-ID
// or a new one, always echoed) and a trace id (from a valid W3C traceparent
// or a new one), then writes one access log line and records the request's
// metrics (by route pattern, method and status) when it ends.
func (s *Server) correlate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The request's server span continues the caller's trace; its trace
		// id is the request's (a no-op tracer keeps the caller's span
		// context, so the trace id is the caller's even with tracing off).
		ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := telemetry.Tracer().Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path)))
		defer span.End()
		ids := correlation.IDs{RequestID: r.Header.Get("X-Request-ID")}
		if sc := span.SpanContext(); sc.IsValid() {
			ids.TraceID = sc.TraceID().String()
		}
		if !requestIDPattern.MatchString(ids.RequestID) {
			ids.RequestID = uuid.Must(uuid.NewV7()).String()
		}
		if ids.TraceID == "" {
			ids.TraceID = events.NewTraceID()
		}
		w.Header().Set("X-Request-ID", ids.RequestID)
		w.Header().Set("X-Trace-ID", ids.TraceID)
		info := &requestInfo{}
		ctx = correlation.With(ctx, ids)
		ctx = context.WithValue(ctx, requestInfoKey{}, info)
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		inFlight := s.metrics.Start()
		next.ServeHTTP(ww, r.WithContext(ctx))
		inFlight()

		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		status, elapsed := ww.Status(), time.Since(start)
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		s.metrics.Observe(r.Method, route, status, elapsed)
		span.SetName(r.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", elapsed), slog.Int("bytes", ww.BytesWritten()),
			slog.String("request_id", ids.RequestID), slog.String("trace_id", ids.TraceID),
			slog.Any(telemetry.HTTPRequestKey, telemetry.HTTPRequest{
				Method: r.Method, URL: r.URL.RequestURI(), Status: status, ResponseSize: int64(ww.BytesWritten()),
				UserAgent: r.UserAgent(), RemoteIP: info.ClientIP, Protocol: r.Proto, Latency: elapsed,
			}),
		}
		if info.UserID != uuid.Nil {
			attrs = append(attrs, slog.String("user_id", info.UserID.String()))
		}
		level := slog.LevelInfo
		if route == ops.PathHealth || route == ops.PathReady {
			level = slog.LevelDebug // probes come every few seconds and say nothing new
		}
		s.log.LogAttrs(ctx, level, "request", attrs...)
	})
}

type principalKey struct{}

// authenticate enforces the operation's security requirement: operations
// that declare the bearer scheme need a valid access token or personal API
// token, allowed the access the method asks for (account decides: a read
// token may not write); the per-user rate limit applies; the principal is
// put in the context for the handler. Operations authenticated by the
// session cookie first pass the CSRF origin check.
func (s *Server) authenticate(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if usesSessionCookie(op) && !s.originAllowed(ctx) {
			_ = huma.WriteErr(api, ctx, http.StatusForbidden,
				"cross-site request refused: the session cookie is only accepted from Atlas' own origin or ATLAS_CORS_ORIGINS")
			return
		}
		if len(op.Security) == 0 {
			next(ctx)
			return
		}
		h := ctx.Header("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="atlas"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "missing bearer access token: log in and send Authorization: Bearer <token>")
			return
		}
		p, err := s.accounts.Authenticate(ctx.Context(), strings.TrimSpace(token))
		switch {
		case errors.Is(err, atlas.ErrUnauthenticated):
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="atlas", error="invalid_token"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, err.Error()+": log in again")
			return
		case err != nil:
			_ = huma.WriteErr(api, ctx, http.StatusInternalServerError, "cannot check the credentials; try again")
			s.log.ErrorContext(ctx.Context(), "authenticate", slog.String("request_id", correlation.From(ctx.Context()).RequestID), slog.Any("error", err))
			return
		}
		if info, ok := ctx.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.UserID = p.UserID
		}
		if s.userLimited(ctx, p) {
			return
		}
		if err := p.Authorize(accessOf(op.Method)); err != nil {
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, err.Error())
			return
		}
		next(huma.WithValue(ctx, principalKey{}, p))
	}
}

// accessOf is the access an HTTP method asks for: reads are safe methods.
func accessOf(method string) account.Access {
	if method == http.MethodGet || method == http.MethodHead {
		return account.AccessRead
	}
	return account.AccessWrite
}

// principal returns who the request acts as.
func principal(ctx context.Context) account.Principal {
	p, _ := ctx.Value(principalKey{}).(account.Principal)
	return p
}

// caller returns the authenticated user of the request.
func caller(ctx context.Context) uuid.UUID { return principal(ctx).UserID }
