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
	"crypto/rand"
	"fmt"
	"time"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/linkcheck"
	"github.com/atlasapp/atlas/search"
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
func JobWorker(c config.Config) jobs.WorkerParams {
	return jobs.WorkerParams{
		BulkWorkers:          c.ImportEnrichWorkers,
		RescueStuckJobsAfter: max(jobs.DefaultRescueStuckJobsAfter, 2*c.EnrichTimeout),
	}
}

// Fetcher are the ENRICH_URL page fetcher's timeouts.
func Fetcher(c config.Config) enrich.FetcherOpts {
	return enrich.FetcherOpts{TotalTimeout: c.EnrichTimeout, ConnectTimeout: c.EnrichConnectTimeout}
}

// LinkChecker is the link checker's pacing from c (the caller adds the
// item service, metrics and logger); the fetch timeouts are enrichment's.
func LinkChecker(c config.Config) linkcheck.Params {
	return linkcheck.Params{Fetch: Fetcher(c), Interval: c.LinkCheckInterval, ConfirmAfter: c.LinkCheckConfirmAfter,
		Timeout: c.LinkCheckTimeout, HostInterval: c.LinkCheckHostInterval, Concurrency: c.LinkCheckConcurrency,
		MaxPerSweep: c.LinkCheckMaxPerSweep}
}
