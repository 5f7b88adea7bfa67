package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"

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
}

// retryAfterUnavailable is the Retry-After (seconds) of a 503 answered while
// the database is unreachable: about how long a restart or failover takes.
const retryAfterUnavailable = "5"

// problem turns a service error into a problem response. Errors of a known
// kind carry a client-safe message; anything else is logged with the
// request's ids and answered with a generic 500 naming the request id.
func (s *Server) problem(ctx context.Context, err error) error {
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
				Message: msg, Location: "body." + ae.Field,
			})
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
	if isUnstorableText(err) {
		return huma.Error422UnprocessableEntity("text must not contain NUL (\\u0000) characters")
	}
	s.log.ErrorContext(ctx, "request failed", slog.String("request_id", ids.RequestID),
		slog.String("trace_id", ids.TraceID), slog.Any("error", err))
	return huma.Error500InternalServerError("internal error; quote request id " + ids.RequestID + " when reporting it")
}

// isUnstorableText reports whether Postgres refused a text value it cannot
// store (a NUL character, SQLSTATE 22021): invalid input, found by the API
// fuzzer, not a server fault.
func isUnstorableText(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "22021"
}
