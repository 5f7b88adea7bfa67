package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"

	"github.com/atlasapp/atlas/account"
)

// RiverUIPrefix is where `atlas serve` mounts River UI.
const RiverUIPrefix = "/riverui"

// RiverUIParams configures River UI, the operators' view of every River job
// (the outbox's included) and queue.
type RiverUIParams struct {
	// Handler serves River UI under RiverUIPrefix (see NewRiverUI); nil
	// leaves River UI unmounted.
	Handler *riverui.Handler
	// AdminEmails are the operators: users whose bearer token opens River
	// UI. Compared case-insensitively.
	AdminEmails []string
	// Password, if set, also lets a browser in with HTTP Basic
	// authentication: an operator's email as the user name and this
	// password. Empty disables Basic authentication.
	Password string
}

// NewRiverUI returns a River UI handler over client (an insert-only client
// is enough) for mounting at RiverUIPrefix. It has no authentication of its
// own: the Server only serves it to operators.
func NewRiverUI(client *river.Client[pgx.Tx], log *slog.Logger) (*riverui.Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    log,
		Prefix:    RiverUIPrefix,
	})
	if err != nil {
		return nil, fmt.Errorf("river ui: %w", err)
	}
	return h, nil
}

// mountRiverUI serves River UI at RiverUIPrefix behind operatorsOnly and
// Go's cross-origin protection (River UI changes jobs and queues with POST
// requests, and Basic credentials are sent by browsers automatically).
func (s *Server) mountRiverUI(p RiverUIParams) {
	if p.Handler == nil {
		return
	}
	s.riverUI = p.Handler
	h := s.operatorsOnly(p, http.NewCrossOriginProtection().Handler(p.Handler))
	s.router.Handle(RiverUIPrefix, h)
	s.router.Handle(RiverUIPrefix+"/*", h)
}

// operatorsOnly lets a request through only from an operator: the bearer
// token of a user whose email is an admin email, or (when a password is
// configured) HTTP Basic credentials of an admin email and that password.
// No credentials or bad ones answer 401; a valid token of anyone else 403.
func (s *Server) operatorsOnly(p RiverUIParams, next http.Handler) http.Handler {
	admins := map[string]bool{}
	for _, e := range p.AdminEmails {
		if e = strings.ToLower(strings.TrimSpace(e)); e != "" {
			admins[e] = true
		}
	}
	var wantPassword [sha256.Size]byte
	basic := p.Password != ""
	if basic {
		wantPassword = sha256.Sum256([]byte(p.Password))
	}
	challenge := func(w http.ResponseWriter) {
		if basic {
			w.Header().Add("WWW-Authenticate", `Basic realm="Atlas River UI", charset="UTF-8"`)
		}
		w.Header().Add("WWW-Authenticate", `Bearer realm="atlas"`)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		switch {
		case strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(cred) != "":
			u, err := s.tokenUser(r.Context(), strings.TrimSpace(cred))
			if err != nil {
				challenge(w)
				writeProblem(w, http.StatusUnauthorized, "invalid or expired access token")
				return
			}
			s.noteUser(r.Context(), u)
			if !admins[strings.ToLower(u.Email)] {
				writeProblem(w, http.StatusForbidden, "River UI is for operators (ATLAS_ADMIN_EMAILS) only")
				return
			}
		case basic && strings.EqualFold(scheme, "Basic"):
			user, pass, ok := r.BasicAuth()
			got := sha256.Sum256([]byte(pass))
			passOK := subtle.ConstantTimeCompare(got[:], wantPassword[:]) == 1
			if !ok || !passOK || !admins[strings.ToLower(strings.TrimSpace(user))] {
				challenge(w)
				writeProblem(w, http.StatusUnauthorized, "wrong operator email or password")
				return
			}
		default:
			challenge(w)
			writeProblem(w, http.StatusUnauthorized, "River UI needs an operator's credentials")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenUser returns the user an access token belongs to.
func (s *Server) tokenUser(ctx context.Context, token string) (account.User, error) {
	p, err := s.accounts.Authenticate(ctx, token)
	if err != nil {
		return account.User{}, err
	}
	return s.accounts.Get(ctx, p.UserID)
}

// noteUser tells the access log who made the request.
func (s *Server) noteUser(ctx context.Context, u account.User) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.UserID = u.ID
	}
}

// writeProblem answers with a bare RFC 9457 problem (outside Huma).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": http.StatusText(status), "status": status, "detail": detail,
	})
}

// StartRiverUI runs River UI's background work (its job-count caches) until
// ctx ends. The server works without it, with River UI counting on every
// request instead.
func (s *Server) StartRiverUI(ctx context.Context) error {
	if s.riverUI == nil {
		return nil
	}
	if err := s.riverUI.Start(ctx); err != nil {
		return fmt.Errorf("start river ui: %w", err)
	}
	return nil
}
