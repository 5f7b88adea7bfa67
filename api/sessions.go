package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas/account"
)

// The session cookie: an opaque refresh token, sent only to the auth routes.
const (
	sessionCookie     = "atlas_session"
	sessionCookiePath = "/api/v1/auth"
)

// metaSessionCookie marks operations authenticated by the session cookie;
// they pass the CSRF origin check (authenticate).
const metaSessionCookie = "atlas-session-cookie"

// cookieParams configure the session cookie and the origins it is
// accepted from.
type cookieParams struct {
	secure  bool
	origins map[string]bool
}

func newCookieParams(e EdgeParams) cookieParams {
	c := cookieParams{secure: e.SecureCookies, origins: map[string]bool{}}
	for _, o := range e.CORSOrigins {
		c.origins[strings.ToLower(o)] = true
	}
	return c
}

// set is the cookie that carries a session's refresh token until it
// expires.
func (c cookieParams) set(in account.SignIn, now time.Time) http.Cookie {
	//nolint:gosec // G124: Secure follows ATLAS_ENV (a laptop serves plain HTTP); HttpOnly and SameSite=Strict always
	return http.Cookie{Name: sessionCookie, Value: in.RefreshToken, Path: sessionCookiePath, HttpOnly: true,
		Secure: c.secure, SameSite: http.SameSiteStrictMode, Expires: in.RefreshExpiresAt.UTC(),
		MaxAge: max(int(in.RefreshExpiresAt.Sub(now).Seconds()), 1)}
}

// clear is the cookie that removes the session cookie.
func (c cookieParams) clear() http.Cookie {
	//nolint:gosec // G124: as set: Secure follows ATLAS_ENV
	return http.Cookie{Name: sessionCookie, Value: "", Path: sessionCookiePath, HttpOnly: true,
		Secure: c.secure, SameSite: http.SameSiteStrictMode, MaxAge: -1}
}

func usesSessionCookie(op *huma.Operation) bool {
	v, _ := op.Metadata[metaSessionCookie].(bool)
	return v
}

// originAllowed is the CSRF check of cookie-authenticated calls: the
// request's Origin must be Atlas' own (the host it was sent to) or one of
// ATLAS_CORS_ORIGINS. A request without Origin is refused: browsers send it
// on every POST.
func (s *Server) originAllowed(ctx huma.Context) bool {
	o := ctx.Header("Origin")
	u, err := url.Parse(o)
	if o == "" || err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, ctx.Host()) || s.cookies.origins[strings.ToLower(u.Scheme+"://"+u.Host)]
}

// client describes the caller for the session it signs in to.
func client(ctx context.Context, userAgent string) account.Client {
	return account.Client{UserAgent: userAgent, IP: middleware.GetClientIP(ctx)}
}

// SessionOutput carries a new access token and sets the session cookie.
type SessionOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie" doc:"The session cookie atlas_session (HttpOnly, SameSite=Strict, Path=/api/v1/auth): an opaque refresh token for POST /api/v1/auth/refresh."`
	Body      AccessTokenBody
}

// AccessTokenBody is an access token.
type AccessTokenBody struct {
	AccessToken string `json:"access_token" doc:"Send as Authorization: Bearer <access_token>."`
	TokenType   string `json:"token_type" enum:"Bearer"`
	ExpiresIn   int    `json:"expires_in" doc:"Seconds until the token expires; renew it with POST /api/v1/auth/refresh before then."`
}

func (s *Server) sessionOutput(in account.SignIn) *SessionOutput {
	return &SessionOutput{SetCookie: s.cookies.set(in, time.Now()), Body: AccessTokenBody{
		AccessToken: in.Access.AccessToken, TokenType: "Bearer", ExpiresIn: int(in.Access.ExpiresIn.Seconds())}}
}

// RefreshInput presents the session cookie.
type RefreshInput struct {
	Session   string `cookie:"atlas_session" doc:"The session cookie set by login or the previous refresh."`
	Origin    string `header:"Origin" doc:"Must be Atlas' own origin or one of ATLAS_CORS_ORIGINS (CSRF protection); browsers set it."`
	UserAgent string `header:"User-Agent"`
}

// ClearCookieOutput removes the session cookie.
type ClearCookieOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie" doc:"Removes the session cookie."`
}

// Session is one signed-in browser or client.
type Session struct {
	ID         uuid.UUID `json:"id"`
	CreatedAt  time.Time `json:"created_at" doc:"When you signed in."`
	LastUsedAt time.Time `json:"last_used_at" doc:"When the session last renewed its access token."`
	ExpiresAt  time.Time `json:"expires_at" doc:"When the session ends unless used before."`
	UserAgent  string    `json:"user_agent" doc:"The browser or client, as it named itself."`
	IP         string    `json:"ip" doc:"The address it last refreshed from."`
	Current    bool      `json:"current" doc:"Whether this is the session of the calling access token."`
}

// SessionPath addresses one session.
type SessionPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Session id."`
}

func (s *Server) registerSessions() {
	huma.Register(s.api, huma.Operation{
		OperationID: "refresh", Method: http.MethodPost, Path: pathRefresh,
		Summary: "Renew the access token with the session cookie", Tags: []string{"Auth"},
		Description: "Answers a new access token and rotates the session cookie (each refresh token works once). " +
			"Presenting a refresh token that was already used ends the whole session (someone else has a copy). " +
			"An unknown, ended or expired session answers 401 and clears the cookie.",
		Metadata: map[string]any{metaSessionCookie: true},
		Errors:   []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *RefreshInput) (*SessionOutput, error) {
		signIn, err := s.accounts.Refresh(ctx, in.Session, client(ctx, in.UserAgent))
		if err != nil {
			clear := s.cookies.clear()
			return nil, huma.ErrorWithHeaders(s.problem(ctx, err), http.Header{"Set-Cookie": {clear.String()}})
		}
		if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
			info.UserID = signIn.Session.UserID
		}
		return s.sessionOutput(signIn), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout",
		Summary: "Sign out: end this session", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Description: "Ends the session of the calling access token at once (its refresh token and access tokens stop working) and clears the cookie.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*ClearCookieOutput, error) {
		if err := s.accounts.Logout(ctx, principal(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &ClearCookieOutput{SetCookie: s.cookies.clear()}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-sessions", Method: http.MethodGet, Path: "/api/v1/auth/sessions",
		Summary: "List your sessions, newest first", Tags: []string{"Auth"}, Security: secured,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, func(ctx context.Context, in *PageParams) (*ListOutput[Session], error) {
		p := principal(ctx)
		rows, next, err := s.accounts.ListSessions(ctx, p, in.page())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return listOf(rows, next, func(x account.Session) Session {
			return Session{ID: x.ID, CreatedAt: x.CreatedAt, LastUsedAt: x.LastUsedAt, ExpiresAt: x.ExpiresAt,
				UserAgent: x.UserAgent, IP: x.IP, Current: x.ID == p.SessionID}
		}), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-session", Method: http.MethodDelete, Path: "/api/v1/auth/sessions/{id}",
		Summary: "End one of your sessions", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *SessionPath) (*struct{}, error) {
		if err := s.accounts.RevokeSession(ctx, principal(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-other-sessions", Method: http.MethodDelete, Path: "/api/v1/auth/sessions",
		Summary: "Sign out everywhere else", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Description: "Ends every session of yours but the current one (all of them when called with an API token).",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		if err := s.accounts.RevokeOtherSessions(ctx, principal(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
