package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/atlasapp/atlas/account"
)

// Rate-limited auth routes: attempts are counted per client IP and, for
// login and registration, from the JSON body's email, per account.
const (
	pathLogin    = "/api/v1/auth/login"
	pathRegister = "/api/v1/auth/register"
	pathRefresh  = "/api/v1/auth/refresh"
	pathPassword = "/api/v1/auth/password" //nolint:gosec // G101: a route, not a credential
)

// Names of the limits, as counted in atlas_http_rate_limited_total.
const (
	limitAuthIP    = "auth_ip"
	limitAuthEmail = "auth_email"
	limitRefreshIP = "refresh_ip"
	limitUser      = "user"
	limitPublicIP  = "public_ip"
)

// RateLimitParams configures the API's rate limits. Counters live in the
// process: with N replicas behind a load balancer a client gets up to N
// times the limit.
type RateLimitParams struct {
	// Enabled turns the limits on; off, no request is counted.
	Enabled bool
	// AuthPerMinute caps POST /auth/login, /auth/register, /auth/password,
	// /auth/password-reset(/confirm) and /auth/verify-email per client IP
	// and, for login, registration and reset requests, separately per email
	// address (credential stuffing on one account from many addresses; reset
	// mail sent to one address over and over).
	AuthPerMinute int
	// RefreshPerMinute caps POST /auth/refresh per client IP.
	RefreshPerMinute int
	// UserPerMinute caps all requests that carry a valid access token, per
	// user.
	UserPerMinute int
	// PublicPerMinute caps the reads of public links (the public API and
	// public feeds, answered or 404) per client IP: browsing a published
	// collection fits, guessing link secrets does not.
	PublicPerMinute int
	// TrustedProxies are CIDR prefixes of reverse proxies whose
	// X-Forwarded-For is believed; empty means the TCP peer is the client.
	TrustedProxies []string
	// Window is the counting window; zero means one minute (the limits are
	// per minute; tests shorten it).
	Window time.Duration
}

// clientIP stores the client's IP in the request context (read with
// middleware.GetClientIP): the TCP peer, or the address a trusted proxy
// reports in X-Forwarded-For.
func clientIP(trustedProxies []string) func(http.Handler) http.Handler {
	if len(trustedProxies) == 0 {
		return middleware.ClientIPFromRemoteAddr
	}
	return middleware.ClientIPFromXFF(trustedProxies...)
}

// noteClientIP copies the client's IP (set by clientIP) into the request's
// info, for the access log line written once the request is done.
func noteClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.ClientIP = middleware.GetClientIP(r.Context())
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimit enforces p's auth limits: attempts per IP and per email. A
// refused request gets 429 with Retry-After and a problem body, and never
// reaches the handler. It also sets up the per-user limit, which
// authenticate applies once it knows the user (userLimited).
func (s *Server) rateLimit(p RateLimitParams) func(http.Handler) http.Handler {
	window := p.Window
	if window <= 0 {
		window = time.Minute
	}
	retryAfter := int(window.Round(time.Second).Seconds())
	limiter := func(perWindow int, name, what string) *httprate.RateLimiter {
		return httprate.NewRateLimiter(perWindow, window,
			httprate.WithLimitHandler(func(w http.ResponseWriter, _ *http.Request) {
				s.metrics.RateLimited(name)
				writeProblem(w, http.StatusTooManyRequests,
					fmt.Sprintf("too many %s: at most %d per %s; retry after %d seconds", what, perWindow, window, retryAfter))
			}))
	}
	authIP := limiter(p.AuthPerMinute, limitAuthIP, "sign-in, registration or password attempts from this address")
	authEmail := limiter(p.AuthPerMinute, limitAuthEmail, "login, registration or password reset attempts for this email address")
	refreshIP := limiter(max(p.RefreshPerMinute, 1), limitRefreshIP, "session refreshes from this address")
	s.users = limiter(p.UserPerMinute, limitUser, "requests for this user")
	publicIP := limiter(max(p.PublicPerMinute, 1), limitPublicIP, "public link requests from this address")

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Single sign-on's start and callback are sign-in attempts too.
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, ssoCookiePath+"/") &&
				authIP.RespondOnLimit(w, r, "ip:"+httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))) {
				return
			}
			if strings.HasPrefix(r.URL.Path, publicAPIPrefix) || strings.HasPrefix(r.URL.Path, publicFeedPrefix) {
				if publicIP.RespondOnLimit(w, r, "ip:"+httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))) {
					return
				}
			}
			if r.Method == http.MethodPost {
				ip := "ip:" + httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))
				switch r.URL.Path {
				case pathLogin, pathRegister, pathPasswordReset:
					if authIP.RespondOnLimit(w, r, ip) {
						return
					}
					if email := peekEmail(r); email != "" && authEmail.RespondOnLimit(w, r, "email:"+email) {
						return
					}
				case pathPassword, pathPasswordResetConfirm, pathVerifyEmail:
					if authIP.RespondOnLimit(w, r, ip) {
						return
					}
				case pathRefresh:
					if refreshIP.RespondOnLimit(w, r, ip) {
						return
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// userLimited applies the per-user limit to an authenticated request and
// reports whether it refused it (the 429 is written).
func (s *Server) userLimited(ctx huma.Context, p account.Principal) bool {
	if s.users == nil {
		return false
	}
	r, w := humachi.Unwrap(ctx)
	return s.users.RespondOnLimit(w, r, "user:"+p.UserID.String())
}

// peekEmail reads the "email" of a JSON body and puts the body back for the
// handler, byte for byte. It returns "" when there is none or the body is
// not JSON (the handler then answers 4xx as usual).
func peekEmail(r *http.Request) string {
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		// Too large or broken: hand the handler what was read followed by
		// the same error, so it answers as it would have.
		r.Body = readCloser{io.MultiReader(bytes.NewReader(b), errReader{err}), r.Body}
		return ""
	}
	r.Body = readCloser{bytes.NewReader(b), r.Body}
	var v struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(v.Email))
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// documentRateLimits adds the 429 answer to every operation a limit can
// refuse (the auth routes, the public reads and every authenticated operation), so clients
// and the OpenAPI document know to expect it.
func documentRateLimits(oapi *huma.OpenAPI) {
	eachOperation(oapi, func(path string, op *huma.Operation) {
		if len(op.Security) == 0 && path != pathLogin && path != pathRegister && path != pathRefresh &&
			path != pathPasswordReset && path != pathPasswordResetConfirm && path != pathVerifyEmail &&
			!strings.HasPrefix(path, publicAPIPrefix) {
			return
		}
		resp := problemResponse("Too Many Requests: a rate limit refused the request; retry after the number of seconds in Retry-After.")
		resp.Headers = map[string]*huma.Param{
			"Retry-After": {Description: "Seconds to wait before retrying.", Schema: &huma.Schema{Type: huma.TypeInteger}},
		}
		addResponse(op, http.StatusTooManyRequests, resp)
	})
}
