package api

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"riverqueue.com/riverui"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/webhook"
)

// Params are the dependencies of the HTTP server.
type Params struct {
	Accounts    *account.Service
	Collections *collection.Service
	Items       *item.Service
	Audit       *audit.Service
	Jobs        *jobs.Service
	// Webhooks manages webhooks and their delivery log.
	Webhooks *webhook.Service
	// Search answers GET /api/v1/search/items (nil: the route answers 503).
	Search *search.Service
	// PublicLinks publishes collections read-only (the public API, public
	// feeds and their management).
	PublicLinks *publiclink.Service
	// Archive serves archived copies (nil: archiving is off; items have none).
	Archive *archive.Service
	// RiverUI is mounted at /riverui for operators (nil Handler: not mounted).
	RiverUI RiverUIParams
	Logger  *slog.Logger
	// Version is reported in the OpenAPI document.
	Version string
	// Metrics records every request (nil: none).
	Metrics *ops.HTTPMetrics
	// Edge configures security headers, CORS, body cap and rate limits.
	Edge EdgeParams
	// SSO signs users in with OpenID Connect providers (nil: none).
	SSO *account.SSO
	// NoPasswordLogin turns password registration and login off
	// (ATLAS_AUTH_PASSWORD_LOGIN=false).
	NoPasswordLogin bool
}

// Server is Atlas' HTTP API.
type Server struct {
	accounts    *account.Service
	collections *collection.Service
	items       *item.Service
	audit       *audit.Service
	jobs        *jobs.Service
	search      *search.Service
	publicLinks *publiclink.Service
	webhooks    *webhook.Service
	archive     *archive.Service
	riverUI     *riverui.Handler
	log         *slog.Logger
	metrics     *ops.HTTPMetrics
	router      chi.Router
	api         huma.API
	// users is the per-user rate limit (nil: off); cookies and origins
	// configure the session cookie and its CSRF check (sessions.go).
	users   *httprate.RateLimiter
	cookies cookieParams
	// sso and noPasswordLogin are the sign-in methods (oidc.go).
	sso             *account.SSO
	noPasswordLogin bool
}

// bearer names the security scheme of authenticated operations.
const bearer = "bearer"

// secured is the security requirement of every authenticated operation.
var secured = []map[string][]string{{bearer: {}}}

// NewServer builds the router with every route registered.
func NewServer(p Params) *Server {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.Version == "" {
		p.Version = "dev"
	}
	s := &Server{accounts: p.Accounts, collections: p.Collections, items: p.Items, audit: p.Audit, jobs: p.Jobs, search: p.Search, publicLinks: p.PublicLinks, webhooks: p.Webhooks, archive: p.Archive, log: p.Logger, metrics: p.Metrics,
		cookies: newCookieParams(p.Edge), sso: p.SSO, noPasswordLogin: p.NoPasswordLogin}
	if s.sso == nil {
		s.sso = account.NewSSO(account.SSOParams{Accounts: p.Accounts, NoPasswordLogin: p.NoPasswordLogin})
	}

	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(s.correlate)
	r.Use(s.edge(p.Edge)...)

	cfg := huma.DefaultConfig("Atlas API", p.Version)
	cfg.Info.Description = "Shared collections of links, notes and references, with role-based sharing. " +
		"Authenticate with POST /api/v1/auth/login and send the access token as `Authorization: Bearer <token>` " +
		"(renew it with POST /api/v1/auth/refresh and the session cookie), or send a personal API token (`atlas_pat_...`) the same way. " +
		"Errors are RFC 9457 problem details. Lists return `{items, next_cursor}`; pass `next_cursor` back as `cursor` until it is null."
	cfg.CreateHooks = nil // no $schema links in response bodies
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearer: {Type: "http", Scheme: "bearer", Description: "Access token from POST /api/v1/auth/login or /auth/refresh, or a personal API token (atlas_pat_...) from POST /api/v1/auth/tokens"},
	}
	api := humachi.New(r, cfg)
	api.UseMiddleware(s.authenticate(api))
	s.router, s.api = r, api

	s.registerAuth()
	s.registerPasswordReset()
	s.registerEmailSettings()
	s.registerSessions()
	s.registerSSO()
	s.registerAPITokens()
	s.registerCollections()
	s.registerMembers()
	s.registerTeams()
	s.registerInvitations()
	s.registerItems()
	s.registerArchives()
	s.registerCapture()
	s.registerImages()
	s.registerDuplicates()
	s.registerLinks()
	s.registerBulk()
	s.registerAudit()
	s.registerJobs()
	s.registerSearch()
	s.registerImports()
	s.registerPublicLinks()
	s.registerFeeds()
	s.registerWebhooks()
	s.mountRiverUI(p.RiverUI)
	documentEdgeResponses(api.OpenAPI()) // after every operation is registered
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Router exposes the router so other components (UI, River UI, health) can mount routes.
func (s *Server) Router() chi.Router { return s.router }

// API exposes the Huma API (the OpenAPI document, for tests and tools).
func (s *Server) API() huma.API { return s.api }
