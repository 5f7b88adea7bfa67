package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/correlation"
	"github.com/atlasapp/atlas/db"
)

// problemStatus is the one table from domain error kinds to HTTP statuses.
var problemStatus = []struct {
	kind   error
	status int
}{
	{atlas.ErrUnauthenticated, http.StatusUnauthorized},
	{atlas.ErrNotFound, http.StatusNotFound},
	{atlas.ErrForbidden, http.StatusForbidden},
	{atlas.ErrConflict, http.StatusConflict},
	{atlas.ErrInvalid, http.StatusUnprocessableEntity},
	{atlas.ErrBadRequest, http.StatusBadRequest},
	{atlas.ErrUnavailable, http.StatusServiceUnavailable},
	{atlas.ErrTooLarge, http.StatusRequestEntityTooLarge},
}

// inputAt says where an operation received a domain input field: an
// atlas.ErrInvalid naming Field is reported at Location (for example
// "query.tag") rather than in the body, where fields are by default.
type inputAt struct {
	Field    string
	Location string
}

// retryAfterUnavailable is the Retry-After (seconds) of a 503 answered while
// the database is unreachable: about how long a restart or failover takes.
const retryAfterUnavailable = "5"

// problem turns a service error into a problem response. Errors of a known
// kind carry a client-safe message; anything else is logged with the
// request's ids and answered with a generic 500 naming the request id.
// at names the fields an operation takes outside its body.
func (s *Server) problem(ctx context.Context, err error, at ...inputAt) error {
	for _, p := range problemStatus {
		if !errors.Is(err, p.kind) {
			continue
		}
		msg := http.StatusText(p.status)
		var ae *atlas.Error
		if errors.As(err, &ae) {
			msg = ae.Message
		}
		if p.status == http.StatusUnprocessableEntity && ae != nil && ae.Field != "" {
			return huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{
				Message: msg, Location: location(ae.Field, at),
			})
		}
		if p.status >= http.StatusInternalServerError {
			ids := correlation.From(ctx)
			s.log.WarnContext(ctx, "request failed: a dependency is unavailable", slog.String("request_id", ids.RequestID),
				slog.String("trace_id", ids.TraceID), slog.Any("error", err))
		}
		return huma.NewError(p.status, msg)
	}
	ids := correlation.From(ctx)
	if errors.Is(err, context.Canceled) {
		s.log.InfoContext(ctx, "request cancelled", slog.String("request_id", ids.RequestID))
		return huma.NewError(499, "request cancelled")
	}
	if db.IsUnavailable(err) {
		s.log.WarnContext(ctx, "database unavailable", slog.String("request_id", ids.RequestID),
			slog.String("trace_id", ids.TraceID), slog.Any("error", err))
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable("the database is temporarily unavailable; retry shortly"),
			http.Header{"Retry-After": []string{retryAfterUnavailable}})
	}
	if db.IsUnstorableText(err) {
		return huma.Error422UnprocessableEntity("text must not contain NUL (\\u0000) characters")
	}
	s.log.ErrorContext(ctx, "request failed", slog.String("request_id", ids.RequestID),
		slog.String("trace_id", ids.TraceID), slog.Any("error", err))
	return huma.Error500InternalServerError("internal error; quote request id " + ids.RequestID + " when reporting it")
}

// location is where the API received field: the body unless at says otherwise.
func location(field string, at []inputAt) string {
	for _, a := range at {
		if a.Field == field {
			return a.Location
		}
	}
	return "body." + field
}

// writeError answers a plain (non-Huma) handler's error as problem() would
// for an operation: the same table, status, message, headers and logging.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	herr := s.problem(r.Context(), err)
	status := http.StatusInternalServerError
	var se huma.StatusError
	if errors.As(herr, &se) {
		status = se.GetStatus()
	}
	var he huma.HeadersError
	if errors.As(herr, &he) {
		for k, v := range he.GetHeaders() {
			w.Header()[k] = v
		}
	}
	for _, h := range []string{"ETag", "Last-Modified", "Cache-Control"} {
		w.Header().Del(h)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(herr)
}
