// Package testfactory builds what a domain test needs below the HTTP edge:
// a fresh, migrated database with the domain services wired on it, and
// factories for the fixtures of a test (users with a session, collections
// with members of each role, items), plus the one reader of the outbox
// (atlas_outbox) every test uses. Domain packages test their rules through
// it by calling their services directly; api/apitest builds the HTTP edge
// on top of it.
package testfactory

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/preview"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/webhook"
)

// CheapHash keeps password hashing fast in tests (never use in production).
var CheapHash = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password is every factory user's password.
const Password = "correct horse battery"

// T is what the helpers need of a test: a testing.TB, or the
// *assert.CollectT of a require.EventuallyWithT condition (which runs on a
// goroutine of its own, where only a CollectT may fail).
type T interface {
	require.TestingT
	Helper()
}

// Services are the domain services, wired as the processes wire them.
type Services struct {
	Accounts    *account.Service
	Collections *collection.Service
	Items       *item.Service
	Audit       *audit.Service
	Jobs        *jobs.Service
	PublicLinks *publiclink.Service
	// River inserts jobs (an insert-only client: no worker runs).
	River *river.Client[pgx.Tx]
	// Cursors signs the services' cursors.
	Cursors *cursor.Codec
	// Recorder records the services' events in the table outbox.
	Recorder *events.Recorder
	// Webhooks manages webhooks (their URLs judged by the configuration's
	// ATLAS_FETCH_ALLOW).
	Webhooks *webhook.Service
	// Archive archives into ArchiveBlobs, a directory of the test's own,
	// and makes preview images there (unless ATLAS_PREVIEW_IMAGES=false);
	// its captures and image fetches may reach loopback (a test-only
	// setting, for httptest sites).
	Archive      *archive.Service
	ArchiveBlobs blob.Store
}

// Env is a test's database with the domain services on it.
type Env struct {
	Services
	Pool   *pgxpool.Pool
	Config config.Config
	Logger *slog.Logger
}

// Opts tunes New.
type Opts struct {
	// Tracer observes every query the services make.
	Tracer pgx.QueryTracer
	// Configure edits the configuration before the services are built.
	Configure func(*config.Config)
	// Outbox replaces the table outbox (benchmarks measure its cost).
	Outbox events.Enqueuer
	// MaxConns sizes the database pool (default 20).
	MaxConns int32
	// NowFunc replaces the services' clock (token and session expiry).
	NowFunc func() time.Time
	// Logger receives the logs (default: discarded); api/apitest's server
	// logs its requests to it.
	Logger *slog.Logger
	// Hash tunes password hashing (default CheapHash; a benchmark that
	// measures sign-ins passes production's, argon2id.DefaultParams).
	Hash *argon2id.Params
}

// Config is a valid configuration for tests.
func Config(t testing.TB) config.Config {
	t.Helper()
	// Rate limits are on, as everywhere, but raised far above what tests
	// send from one address as one user; the rate-limit tests lower them.
	cfg, err := config.LoadFrom([]string{"ATLAS_JWT_SECRET=test-secret-test-secret-test-secret-0123",
		"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE=10000", "ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE=100000",
		"ATLAS_RATE_LIMIT_USER_PER_MINUTE=1000000", "ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE=1000000"})
	require.NoError(t, err)
	return cfg
}

// New wires the domain services on a fresh database.
func New(t testing.TB, opts ...Opts) *Env {
	t.Helper()
	var o Opts
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.MaxConns == 0 {
		o.MaxConns = 20
	}
	pool := dbtest.New(t, dbtest.Opts{Tracer: o.Tracer, MaxConns: o.MaxConns})
	cfg := Config(t)
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	return On(t, pool, cfg, o)
}

// On wires the domain services on pool with cfg (another process on the
// same database: a replica with caches of its own). Only o.Outbox,
// o.NowFunc, o.Logger and o.Hash are used.
func On(t testing.TB, pool *pgxpool.Pool, cfg config.Config, o Opts) *Env {
	t.Helper()
	if o.NowFunc == nil {
		o.NowFunc = time.Now
	}
	if o.Hash == nil {
		o.Hash = CheapHash
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	tokens, err := account.NewTokenIssuer(params.Tokens(cfg, o.NowFunc))
	require.NoError(t, err)
	codec, err := params.Cursors(cfg)
	require.NoError(t, err)
	rc, err := jobs.NewInsertClient(pool, o.Logger)
	require.NoError(t, err)
	var outbox events.Enqueuer = events.NewOutbox()
	if o.Outbox != nil {
		outbox = o.Outbox
	}
	recorder := events.NewRecorder(outbox, o.NowFunc)
	var mails account.MailQueue // nil: email is off
	if cfg.EmailOn() {
		mails = mail.NewQueue(rc)
	}
	accounts, err := account.NewService(account.ServiceParams{Pool: pool, Tokens: tokens, Cursors: codec, Recorder: recorder,
		SessionIdleTTL: cfg.SessionIdleTTL, SessionMaxTTL: cfg.SessionMaxTTL, Hash: o.Hash, NowFunc: o.NowFunc, Mail: mails})
	require.NoError(t, err)
	collections := collection.NewService(collection.ServiceParams{Pool: pool, Cursors: codec, Recorder: recorder, NowFunc: o.NowFunc, Mail: mails})
	js := jobs.NewService(jobs.ServiceParams{Pool: pool, River: rc, Cursors: codec})
	items := item.NewService(item.ServiceParams{Pool: pool, Collections: collections, Cursors: codec, Recorder: recorder,
		NowFunc: o.NowFunc, ImportMaxBytes: cfg.ImportMaxBytes,
		OnCreate: []item.OnCreateFunc{js.EnqueueEnrichment}, OnUpdate: []item.OnUpdateFunc{js.EnqueueReEnrichment, js.FollowMove},
		OnImportQueued: []item.OnImportQueuedFunc{js.EnqueueImport}, OnImport: []item.OnImportFunc{js.EnqueueImportEnrichment}})
	wp, err := params.WebhookService(cfg)
	require.NoError(t, err)
	wp.Pool, wp.Collections, wp.River, wp.Cursors, wp.Recorder, wp.NowFunc = pool, collections, rc, codec, recorder, o.NowFunc
	blobs, err := blob.NewDir(t.TempDir())
	require.NoError(t, err)
	capture, err := params.ArchiveCapture(cfg)
	require.NoError(t, err)
	capture.Fetch.AllowLoopback = true
	images := &preview.Opts{Fetch: capture.Fetch, MaxBytes: cfg.PreviewMaxBytes, MaxPixels: cfg.PreviewMaxPixels}
	if !cfg.PreviewImages {
		images = nil
	}
	archives := archive.NewService(archive.ServiceParams{Pool: pool, Blobs: blobs, Collections: collections, Capture: capture,
		Images: images, Logger: o.Logger, NowFunc: o.NowFunc})
	return &Env{Pool: pool, Config: cfg, Logger: o.Logger, Services: Services{Webhooks: webhook.NewService(wp), Accounts: accounts, Collections: collections, Items: items,
		Audit:        audit.NewService(audit.ServiceParams{Pool: pool, Collections: collections, Cursors: codec}),
		Jobs:         js,
		PublicLinks:  publiclink.NewService(publiclink.ServiceParams{Pool: pool, Collections: collections, Cursors: codec, Recorder: recorder, NowFunc: o.NowFunc}),
		River:        rc,
		Cursors:      codec,
		Recorder:     recorder,
		Archive:      archives,
		ArchiveBlobs: blobs,
	}}
}

// User is a registered user with a session: a valid access token and the
// session's refresh token (the session cookie's value).
type User struct {
	ID        uuid.UUID
	Email     string
	Token     string
	Refresh   string
	SessionID uuid.UUID
}

// NewUser registers a user (password Password) and signs them in.
func (e *Env) NewUser(t testing.TB) User {
	t.Helper()
	email := fmt.Sprintf("user-%s@example.com", uuid.NewString()[:8])
	ctx := context.Background()
	u, err := e.Accounts.Register(ctx, account.RegisterParams{Email: email, Password: Password, DisplayName: "Test User"})
	require.NoError(t, err)
	in, _, err := e.Accounts.Login(ctx, email, Password, account.Client{UserAgent: "testfactory"})
	require.NoError(t, err)
	return User{ID: u.ID, Email: email, Token: in.Access.AccessToken, Refresh: in.RefreshToken, SessionID: in.Session.ID}
}

// NewCollection creates a collection owned by owner.
func (e *Env) NewCollection(t testing.TB, owner User) collection.Collection {
	t.Helper()
	c, err := e.Collections.Create(context.Background(), owner.ID, collection.CreateParams{Name: "Collection " + uuid.NewString()[:6]})
	require.NoError(t, err)
	return c
}

// AddMember gives user a role in the collection (owner acts).
func (e *Env) AddMember(t testing.TB, owner User, c uuid.UUID, user User, role collection.Role) {
	t.Helper()
	_, err := e.Collections.AddMember(context.Background(), owner.ID, c, collection.AddMemberParams{UserID: &user.ID, Role: role})
	require.NoError(t, err)
}

// NewItem creates an item in collection c as actor (a title is made up
// when p has none).
func (e *Env) NewItem(t testing.TB, actor User, c uuid.UUID, p item.CreateParams) item.Item {
	t.Helper()
	if p.Title == "" {
		p.Title = "Item " + uuid.NewString()[:6]
	}
	it, err := e.Items.Create(context.Background(), actor.ID, c, p)
	require.NoError(t, err)
	return it
}

// Team is a collection with a member of each role and a user who is not a
// member.
type Team struct {
	Collection                      collection.Collection
	Owner, Editor, Viewer, Stranger User
}

// Member returns the team's user with role r (the stranger for "").
func (tm Team) Member(r collection.Role) User {
	switch r {
	case collection.RoleOwner:
		return tm.Owner
	case collection.RoleEditor:
		return tm.Editor
	case collection.RoleViewer:
		return tm.Viewer
	}
	return tm.Stranger
}

// NewTeam creates a collection with an owner, an editor and a viewer, and
// a stranger who belongs to none of it.
func (e *Env) NewTeam(t testing.TB) Team {
	t.Helper()
	tm := Team{Owner: e.NewUser(t), Editor: e.NewUser(t), Viewer: e.NewUser(t), Stranger: e.NewUser(t)}
	tm.Collection = e.NewCollection(t, tm.Owner)
	e.AddMember(t, tm.Owner, tm.Collection.ID, tm.Editor, collection.RoleEditor)
	e.AddMember(t, tm.Owner, tm.Collection.ID, tm.Viewer, collection.RoleViewer)
	return tm
}
