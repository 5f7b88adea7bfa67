// Package app assembles Atlas' domain services and HTTP server from a
// configuration and a database pool, one set per kind of process: Core for
// what the worker's job handlers run through, Services and App for the API.
// It builds without cgo (the Kafka client is wired in cmd/atlas), so the
// HTTP edge and its tests (api/apitest) build the application the same way
// cmd/atlas does.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/ops"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/web"
	"github.com/atlasapp/atlas/webhook"
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
	// SearchIndex is the Elasticsearch index searches read, owned by the
	// caller (a process builds one and shares it between the API, the
	// worker and the indexer); nil: the Services build one from the
	// configuration and Close closes it.
	SearchIndex *search.Index
}

// Core are the services that write items and enqueue their jobs, without
// accounts, tokens, audit reads or search: what `atlas worker`'s job handlers
// run through, and the base of the API's Services. It needs no JWT secret.
type Core struct {
	Collections *collection.Service
	Items       *item.Service
	Jobs        *jobs.Service
	River       *river.Client[pgx.Tx]
	// Archive archives pages and serves their copies; nil when no archive
	// store is configured (ATLAS_ARCHIVE_DIR, ATLAS_ARCHIVE_GCS_BUCKET).
	Archive *archive.Service
	// closeArchive releases the archive's blob store.
	closeArchive func() error
	// recorder queues the events of the writes (accounts use it too).
	recorder *events.Recorder
	// mails enqueues emails (nil: email is off; accounts use it too).
	mails account.MailQueue
}

// NewCore wires the Core services (what `atlas worker` runs its job
// handlers through).
func NewCore(p Params) (*Core, error) {
	p = p.withDefaults()
	codec, err := params.Cursors(p.Config)
	if err != nil {
		return nil, err
	}
	return newCore(p, codec)
}

func newCore(p Params, codec *cursor.Codec) (*Core, error) {
	rc, err := jobs.NewInsertClient(p.Pool, p.Logger)
	if err != nil {
		return nil, err
	}
	recorder := events.NewRecorder(p.Outbox, p.NowFunc)
	var mails account.MailQueue // nil: email is off
	if p.Config.EmailOn() {
		mails = mail.NewQueue(rc)
	}
	collections := collection.NewService(collection.ServiceParams{Pool: p.Pool, Cursors: codec, Recorder: recorder, NowFunc: p.NowFunc, Mail: mails})
	jobService := jobs.NewService(jobs.ServiceParams{Pool: p.Pool, River: rc, Cursors: codec})
	items := item.NewService(item.ServiceParams{Pool: p.Pool, Collections: collections, Cursors: codec, Recorder: recorder, NowFunc: p.NowFunc,
		OnCreate:       []item.OnCreateFunc{jobService.EnqueueEnrichment},
		OnUpdate:       []item.OnUpdateFunc{jobService.EnqueueReEnrichment, jobService.FollowMove}, // a new URL is enriched; jobs follow a moved item
		OnImportQueued: []item.OnImportQueuedFunc{jobService.EnqueueImport}, OnImport: []item.OnImportFunc{jobService.EnqueueImportEnrichment},
		ImportMaxBytes: p.Config.ImportMaxBytes})
	store, closeStore, err := params.ArchiveStore(context.Background(), p.Config)
	if err != nil {
		return nil, fmt.Errorf("archive store: %w", err)
	}
	var archives *archive.Service
	if store != nil {
		capture, err := params.ArchiveCapture(p.Config)
		if err != nil {
			_ = closeStore()
			return nil, err
		}
		images, err := params.PreviewImages(p.Config)
		if err != nil {
			_ = closeStore()
			return nil, err
		}
		archives = archive.NewService(archive.ServiceParams{Pool: p.Pool, Blobs: store, Collections: collections, Capture: capture,
			Images: images, Logger: p.Logger, NowFunc: p.NowFunc})
	}
	return &Core{Collections: collections, Items: items, Jobs: jobService, River: rc, Archive: archives,
		closeArchive: closeStore, recorder: recorder, mails: mails}, nil
}

// Recorder records events in the outbox (the webhook worker's
// WebhookDisabled).
func (c *Core) Recorder() *events.Recorder { return c.recorder }

// Close releases what the Core opened: the archive's blob store client.
func (c *Core) Close() {
	if c.closeArchive != nil {
		_ = c.closeArchive()
	}
}

func (p Params) withDefaults() Params {
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	if p.Outbox == nil {
		p.Outbox = events.NewOutbox()
	}
	return p
}

// Services are the domain services the API serves: Core plus accounts,
// the audit trail and search.
type Services struct {
	Core
	Accounts *account.Service
	Audit    *audit.Service
	// Search answers searches through SearchIndex (Params.SearchIndex, or
	// one built from ATLAS_ELASTICSEARCH_* that Close closes).
	Search      *search.Service
	SearchIndex *search.Index
	// PublicLinks publishes collections read-only.
	PublicLinks *publiclink.Service
	// Webhooks manages webhooks and their delivery log.
	Webhooks  *webhook.Service
	ownsIndex bool
}

// NewServices wires the API's domain services, without the HTTP server,
// River UI or dashboard. It checks the API's own settings first
// (config.ValidateAPI: the JWT secret).
func NewServices(p Params) (*Services, error) {
	p = p.withDefaults()
	if err := p.Config.ValidateAPI(); err != nil {
		return nil, err
	}
	tokens, err := account.NewTokenIssuer(params.Tokens(p.Config, p.NowFunc))
	if err != nil {
		return nil, fmt.Errorf("token issuer: %w", err)
	}
	codec, err := params.Cursors(p.Config)
	if err != nil {
		return nil, err
	}
	core, err := newCore(p, codec)
	if err != nil {
		return nil, err
	}
	accounts, err := account.NewService(account.ServiceParams{Pool: p.Pool, Tokens: tokens, Cursors: codec, Recorder: core.recorder,
		SessionIdleTTL: p.Config.SessionIdleTTL, SessionMaxTTL: p.Config.SessionMaxTTL, Hash: p.PasswordHash, NowFunc: p.NowFunc,
		Mail: core.mails})
	if err != nil {
		return nil, err
	}
	wp, err := params.WebhookService(p.Config)
	if err != nil {
		return nil, err
	}
	wp.Pool, wp.Collections, wp.River, wp.Cursors, wp.Recorder, wp.NowFunc = p.Pool, core.Collections, core.River, codec, core.recorder, p.NowFunc
	index, owns := p.SearchIndex, p.SearchIndex == nil
	if owns {
		if index, err = params.NewSearchIndex(p.Config); err != nil {
			return nil, err
		}
	}
	return &Services{Core: *core, Accounts: accounts,
		Audit:  audit.NewService(audit.ServiceParams{Pool: p.Pool, Collections: core.Collections, Cursors: codec}),
		Search: search.NewService(search.ServiceParams{DB: p.Pool, Collections: core.Collections, Index: index, Cursors: codec, Logger: p.Logger}),
		PublicLinks: publiclink.NewService(publiclink.ServiceParams{Pool: p.Pool, Collections: core.Collections, Cursors: codec,
			Recorder: core.recorder, NowFunc: p.NowFunc}),
		SearchIndex: index, Webhooks: webhook.NewService(wp), ownsIndex: owns}, nil
}

// Close releases what the Services opened themselves: the search index when
// Params.SearchIndex was nil.
func (s *Services) Close() {
	s.Core.Close()
	if s.ownsIndex {
		s.SearchIndex.Close()
	}
}

// APIParams are the API server's parameters for these services (the
// domain side only: no logger, metrics, edge or River UI).
func (s *Services) APIParams() api.Params {
	return api.Params{Accounts: s.Accounts, Collections: s.Collections, Items: s.Items, Audit: s.Audit, Jobs: s.Jobs, Search: s.Search, PublicLinks: s.PublicLinks, Webhooks: s.Webhooks, Archive: s.Archive}
}

// App is the assembled API process: the services and the HTTP server in
// front of them (with River UI and the dashboard).
type App struct {
	Services
	Server *api.Server
}

// New wires the services and the HTTP server (what `atlas serve` runs).
func New(p Params) (*App, error) {
	p = p.withDefaults()
	svc, err := NewServices(p)
	if err != nil {
		return nil, err
	}
	riverUI, err := api.NewRiverUI(svc.River, p.Logger)
	if err != nil {
		svc.Close()
		return nil, err
	}
	ps := svc.APIParams()
	ps.Logger, ps.Version, ps.Metrics, ps.Edge = p.Logger, p.Version, p.HTTPMetrics, params.Edge(p.Config)
	ps.RiverUI = api.RiverUIParams{Handler: riverUI, AdminEmails: p.Config.AdminEmails, Password: p.Config.RiverUIPassword.Value()}
	ps.SSO, ps.NoPasswordLogin = params.SSO(p.Config, svc.Accounts), !p.Config.PasswordLogin
	srv := api.NewServer(ps)
	srv.Router().Handle("/*", web.Handler()) // the React dashboard, at / and its client-side routes
	return &App{Services: *svc, Server: srv}, nil
}
