// Package params is where the configuration becomes the parameters of the
// packages a process builds (the search index, the HTTP edge, tokens,
// cursors, the job workers), so search, api and the domain packages never
// read config. It sits below app: the process wiring (app, cmd/atlas) and
// the test helpers (testfactory, api/apitest) take their parameters from it,
// so a setting is turned into a parameter in one place. The Kafka client's
// parameters are the one exception: only the files that may import
// events/broker (cmd/atlas/kafka.go) can name its types.
package params

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/archive"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/linkcheck"
	"github.com/atlasapp/atlas/preview"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/webhook"
)

// Search returns the connection options of the cluster the configuration names: its URL, the
// alias (ATLAS_ELASTICSEARCH_ALIAS), its credentials (ATLAS_ELASTICSEARCH_USERNAME/_PASSWORD or
// _API_KEY) and the CA that signs its certificate (ATLAS_ELASTICSEARCH_CA_FILE). Every process
// and tool connects through them, so a secured cluster works the same everywhere.
func Search(cfg config.Config) (search.IndexOpts, error) {
	opts := search.IndexOpts{
		URLs:     []string{cfg.ElasticsearchURL},
		Alias:    cfg.ElasticsearchAlias,
		Username: cfg.ElasticsearchUsername,
		Password: cfg.ElasticsearchPassword.Value(),
		APIKey:   cfg.ElasticsearchAPIKey.Value(),
	}
	if err := search.CheckAlias(opts.Alias); err != nil {
		return search.IndexOpts{}, fmt.Errorf("ATLAS_ELASTICSEARCH_ALIAS: %w", err)
	}
	if cfg.ElasticsearchCAFile != "" {
		ca, err := config.ReadCAFile(cfg.ElasticsearchCAFile)
		if err != nil {
			return search.IndexOpts{}, fmt.Errorf("ATLAS_ELASTICSEARCH_CA_FILE: %w", err)
		}
		opts.CACert = ca
	}
	return opts, nil
}

// NewSearchIndex returns the Index of the configured cluster and alias (see Search). Its
// owner closes it.
func NewSearchIndex(cfg config.Config) (*search.Index, error) {
	opts, err := Search(cfg)
	if err != nil {
		return nil, err
	}
	return search.NewIndex(opts)
}

// Edge derives the HTTP edge's protections from the configuration.
func Edge(c config.Config) api.EdgeParams {
	return api.EdgeParams{
		RateLimit: api.RateLimitParams{
			Enabled:          c.RateLimitOn(),
			AuthPerMinute:    c.RateLimitAuthPerMinute,
			RefreshPerMinute: c.RateLimitRefreshPerMinute,
			UserPerMinute:    c.RateLimitUserPerMinute,
			PublicPerMinute:  c.RateLimitPublicPerMinute,
			TrustedProxies:   c.TrustedProxies,
		},
		CORSOrigins:    c.CORSOrigins,
		MaxBodyBytes:   c.MaxBodyBytes,
		ImportMaxBytes: c.ImportMaxBytes,
		HSTS:           c.Env == config.EnvProduction,
		SecureCookies:  c.Env == config.EnvProduction,
	}
}

// Tokens are the access tokens' settings; the secret is the API's
// (config.ValidateAPI has checked or made it up).
func Tokens(c config.Config, now func() time.Time) account.TokenParams {
	return account.TokenParams{Secret: []byte(c.JWTSecret.Value()), Issuer: c.JWTIssuer, TTL: c.TokenTTL, NowFunc: now}
}

// Cursors returns the codec that signs pagination cursors. A process without
// the API's secrets (the worker: no ATLAS_CURSOR_SECRET or ATLAS_JWT_SECRET)
// lists nothing; a random key keeps any cursor it might sign from being
// accepted anywhere else.
func Cursors(c config.Config) (*cursor.Codec, error) {
	if c.CursorSecret == "" && c.JWTSecret == "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		return cursor.NewCodec(key)
	}
	return cursor.NewCodec(c.CursorKey())
}

// JobWorker are the River worker client's settings of `atlas worker`
// (its pool, logger and registered workers are the caller's).
//
// A job is rescued after ATLAS_JOB_RESCUE_AFTER, but never before the
// longest job of the configuration could still be running: twice an
// enrichment's timeout, an attempt of a webhook delivery (or, with
// archiving on, a capture) plus 30 s.
func JobWorker(c config.Config) jobs.WorkerParams {
	rescue := max(c.JobRescueAfter, 2*c.EnrichTimeout, c.WebhookTimeout+30*time.Second)
	if c.ArchiveEnabled() {
		rescue = max(rescue, c.ArchiveTimeout+30*time.Second)
	}
	return jobs.WorkerParams{BulkWorkers: c.ImportEnrichWorkers, RescueStuckJobsAfter: rescue}
}

// Fetcher are the ENRICH_URL page fetcher's timeouts and the operator's
// allow list (see FetchAllow).
func Fetcher(c config.Config) (enrich.FetcherOpts, error) {
	allow, err := FetchAllow(c)
	if err != nil {
		return enrich.FetcherOpts{}, err
	}
	return enrich.FetcherOpts{TotalTimeout: c.EnrichTimeout, ConnectTimeout: c.EnrichConnectTimeout, Allow: allow}, nil
}

// FetchAllow is ATLAS_FETCH_ALLOW as the SSRF guard takes it: the one allow
// list of every outbound request. An entry that is not a host name, address
// or network, or that names the cloud metadata address, is an error.
func FetchAllow(c config.Config) (enrich.AllowList, error) {
	l, err := enrich.ParseAllowList(c.FetchAllow)
	if err != nil {
		return enrich.AllowList{}, fmt.Errorf("ATLAS_FETCH_ALLOW: %w", err)
	}
	return l, nil
}

// WebhookService are the webhook service's rules from the configuration:
// the SSRF guard with ATLAS_FETCH_ALLOW, HTTPS in production, the
// administrators (its pool, collections, River client and cursors are the
// caller's).
func WebhookService(c config.Config) (webhook.ServiceParams, error) {
	allow, err := FetchAllow(c)
	if err != nil {
		return webhook.ServiceParams{}, err
	}
	return webhook.ServiceParams{Guard: enrich.Guard{Allow: allow}, RequireHTTPS: c.Env == config.EnvProduction, AdminEmails: c.AdminEmails}, nil
}

// WebhookDelivery are the delivery worker's settings: the same rules as
// WebhookService plus ATLAS_WEBHOOK_TIMEOUT.
func WebhookDelivery(c config.Config) (webhook.DeliverParams, error) {
	sp, err := WebhookService(c)
	if err != nil {
		return webhook.DeliverParams{}, err
	}
	sp.Guard.ConnectTimeout = min(c.EnrichConnectTimeout, c.WebhookTimeout)
	return webhook.DeliverParams{Guard: sp.Guard, RequireHTTPS: sp.RequireHTTPS, AdminEmails: sp.AdminEmails, Timeout: c.WebhookTimeout}, nil
}

// SSO returns the single sign-on of the configured OpenID Connect providers
// (ATLAS_OIDC_<NAME>_*), signing users in through accounts.
func SSO(c config.Config, accounts *account.Service) *account.SSO {
	ps := make([]account.OIDCProvider, 0, len(c.OIDC))
	for _, p := range c.OIDC {
		ps = append(ps, account.OIDCProvider{Name: p.Name, DisplayName: p.DisplayName, Issuer: p.Issuer, ClientID: p.ClientID,
			ClientSecret: p.ClientSecret.Value(), Scopes: p.Scopes, AllowedDomains: p.AllowedDomains, RequiredGroup: p.RequiredGroup})
	}
	return account.NewSSO(account.SSOParams{Accounts: accounts, Providers: ps, NoPasswordLogin: !c.PasswordLogin})
}

// ArchiveCapture are the limits of ARCHIVE_PAGE's captures; their fetches
// go through the same guard as ENRICH_URL's.
func ArchiveCapture(c config.Config) (archive.CaptureOpts, error) {
	fetch, err := Fetcher(c)
	if err != nil {
		return archive.CaptureOpts{}, err
	}
	return archive.CaptureOpts{Fetch: fetch, MaxBytesPerItem: c.ArchiveMaxBytesPerItem,
		MaxResourceBytes: c.ArchiveMaxResourceBytes, TimeBudget: c.ArchiveTimeout}, nil
}

// PreviewImages are the limits of FETCH_IMAGES (nil when it is off: no
// archive store, or ATLAS_PREVIEW_IMAGES=false); its fetches go through the
// same guard as ENRICH_URL's.
func PreviewImages(c config.Config) (*preview.Opts, error) {
	if !c.PreviewImagesOn() {
		return nil, nil
	}
	fetch, err := Fetcher(c)
	if err != nil {
		return nil, err
	}
	return &preview.Opts{Fetch: fetch, MaxBytes: c.PreviewMaxBytes, MaxPixels: c.PreviewMaxPixels, Timeout: c.EnrichTimeout}, nil
}

// ArchiveStore opens the blob store of archived copies: the directory of
// ATLAS_ARCHIVE_DIR or the bucket of ATLAS_ARCHIVE_GCS_BUCKET (nil, and a
// no-op close, when neither is set: archiving is off). Close it with the
// returned function.
func ArchiveStore(ctx context.Context, c config.Config) (blob.Store, func() error, error) {
	if !c.ArchiveEnabled() {
		return nil, func() error { return nil }, nil
	}
	if c.ArchiveGCSBucket != "" {
		s, err := blob.NewGCS(ctx, c.ArchiveGCSBucket)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	s, err := blob.NewDir(c.ArchiveDir)
	if err != nil {
		return nil, nil, err
	}
	return s, func() error { return nil }, nil
}

// LinkChecker is the link checker's pacing from c (the caller adds the
// item service, metrics and logger); the fetch timeouts are enrichment's.
func LinkChecker(c config.Config) (linkcheck.Params, error) {
	fetch, err := Fetcher(c)
	if err != nil {
		return linkcheck.Params{}, err
	}
	return linkcheck.Params{Fetch: fetch, Interval: c.LinkCheckInterval, ConfirmAfter: c.LinkCheckConfirmAfter,
		Timeout: c.LinkCheckTimeout, HostInterval: c.LinkCheckHostInterval, Concurrency: c.LinkCheckConcurrency,
		MaxPerSweep: c.LinkCheckMaxPerSweep, SweepEvery: c.LinkCheckSweepEvery}, nil
}
