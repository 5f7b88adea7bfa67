// Package app assembles Atlas' domain services and HTTP server from a
// configuration and a database pool. cmd/atlas and the end-to-end tests
// build the application the same way through it.
package app

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/web"
)

// Params are what the application is built from.
type Params struct {
	Config config.Config
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// PasswordHash overrides argon2id parameters (tests use cheap ones).
	PasswordHash *argon2id.Params
	// NowFunc overrides the clock.
	NowFunc func() time.Time
	// Version is reported by the API.
	Version string
	// Outbox replaces the table outbox (benchmarks use it to measure the
	// outbox's cost; production never sets it).
	Outbox events.Enqueuer
	// HTTPMetrics records the API's requests (nil: no metrics).
	HTTPMetrics *ops.HTTPMetrics
}

// Services are the domain services every process that acts on the domain
// needs (the API and the River workers), without the HTTP server.
type Services struct {
	Accounts    *account.Service
	Collections *collection.Service
	Items       *item.Service
	Audit       *audit.Service
	Jobs        *jobs.Service
	// Search answers searches; SearchIndex is the Elasticsearch index it
	// reads (ATLAS_ELASTICSEARCH_URL and _ALIAS) and
	// REINDEX_ITEM writes.
	Search      *search.Service
	SearchIndex *search.Index
	River       *river.Client[pgx.Tx]
}

// App is the assembled API process: the services and the HTTP server in
// front of them (with River UI and the dashboard).
type App struct {
	Services
	Server *api.Server
}

// New wires the services and the HTTP server (what `atlas serve` runs).
func New(p Params) (*App, error) {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	svc, err := NewServices(p)
	if err != nil {
		return nil, err
	}
	riverUI, err := api.NewRiverUI(svc.River, p.Logger)
	if err != nil {
		return nil, err
	}
	srv := api.NewServer(api.Params{Accounts: svc.Accounts, Collections: svc.Collections, Items: svc.Items, Audit: svc.Audit,
		Logger: p.Logger, Version: p.Version, Metrics: p.HTTPMetrics, Edge: api.EdgeFromConfig(p.Config), Jobs: svc.Jobs, Search: svc.Search,
		RiverUI: api.RiverUIParams{Handler: riverUI, AdminEmails: p.Config.AdminEmails, Password: p.Config.RiverUIPassword.Value()}})
	srv.Router().Handle("/*", web.Handler()) // the React dashboard, at / and its client-side routes
	return &App{Services: *svc, Server: srv}, nil
}

// NewServices wires the domain services only (what `atlas worker` runs its
// job handlers through): no HTTP server, River UI or dashboard.
func NewServices(p Params) (*Services, error) {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	tokens, err := account.NewTokenIssuer(account.TokenParams{
		Secret: []byte(p.Config.JWTSecret.Value()), Issuer: p.Config.JWTIssuer, TTL: p.Config.TokenTTL, NowFunc: p.NowFunc,
	})
	if err != nil {
		return nil, fmt.Errorf("token issuer: %w", err)
	}
	codec, err := cursor.NewCodec(p.Config.CursorKey())
	if err != nil {
		return nil, err
	}
	rc, err := jobs.NewInsertClient(p.Pool, p.Logger)
	if err != nil {
		return nil, err
	}
	var outbox events.Enqueuer = events.NewOutbox()
	if p.Outbox != nil {
		outbox = p.Outbox
	}
	recorder := events.NewRecorder(outbox, p.NowFunc)
	accounts, err := account.NewService(account.ServiceParams{Pool: p.Pool, Tokens: tokens, Cursors: codec, Recorder: recorder,
		SessionIdleTTL: p.Config.SessionIdleTTL, SessionMaxTTL: p.Config.SessionMaxTTL, Hash: p.PasswordHash, NowFunc: p.NowFunc})
	if err != nil {
		return nil, err
	}
	collections := collection.NewService(collection.ServiceParams{Pool: p.Pool, Cursors: codec, Recorder: recorder, NowFunc: p.NowFunc})
	jobService := jobs.NewService(jobs.ServiceParams{Pool: p.Pool, River: rc, Cursors: codec})
	items := item.NewService(item.ServiceParams{Pool: p.Pool, Collections: collections, Cursors: codec, Recorder: recorder, NowFunc: p.NowFunc,
		OnCreate:       []item.OnCreateFunc{jobService.EnqueueEnrichment},
		OnUpdate:       []item.OnUpdateFunc{jobService.EnqueueReEnrichment}, // a new item's URL is enriched in the background
		OnImportQueued: []item.OnImportQueuedFunc{jobService.EnqueueImport}, OnImport: []item.OnImportFunc{jobService.EnqueueImportEnrichment},
		ImportMaxBytes: p.Config.ImportMaxBytes})
	audits := audit.NewService(audit.ServiceParams{Pool: p.Pool, Collections: collections, Cursors: codec})
	index, err := search.NewIndexFromConfig(p.Config)
	if err != nil {
		return nil, err
	}
	searches := search.NewService(search.ServiceParams{DB: p.Pool, Collections: collections, Index: index, Cursors: codec, Logger: p.Logger})
	return &Services{Accounts: accounts, Collections: collections, Items: items, Audit: audits, Jobs: jobService,
		Search: searches, SearchIndex: index, River: rc}, nil
}
