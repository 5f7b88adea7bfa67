// Package config reads Atlas' configuration from ATLAS_* environment
// variables into one typed struct, once, at start-up, and validates it. A
// secret may instead come from a file named by the same variable with a
// _FILE suffix (for container secrets). Secrets never print.
package config

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Secret is a string that prints as [redacted].
type Secret string

// String hides the value.
func (Secret) String() string { return "[redacted]" }

// MarshalText hides the value in JSON and logs.
func (s Secret) MarshalText() ([]byte, error) {
	if s == "" {
		return []byte(""), nil
	}
	return []byte("[redacted]"), nil
}

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// Environments.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is every setting Atlas reads.
type Config struct {
	Env      string     `env:"ATLAS_ENV" envDefault:"development" json:"env"`
	LogLevel slog.Level `env:"ATLAS_LOG_LEVEL" envDefault:"info" json:"log_level"`
	// Telemetry: log format and OpenTelemetry traces (config/telemetry.go).
	LogFormat       string  `env:"ATLAS_LOG_FORMAT" envDefault:"json" json:"log_format"`
	GCPProject      string  `env:"ATLAS_GCP_PROJECT" json:"gcp_project"`
	OTLPEndpoint    string  `env:"ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT" json:"otel_exporter_otlp_endpoint"`
	OTelServiceName string  `env:"ATLAS_OTEL_SERVICE_NAME" envDefault:"atlas" json:"otel_service_name"`
	OTelSampleRatio float64 `env:"ATLAS_OTEL_TRACES_SAMPLER_RATIO" envDefault:"1" json:"otel_traces_sampler_ratio"`
	HTTPAddr        string  `env:"ATLAS_HTTP_ADDR" envDefault:"127.0.0.1:8080" json:"http_addr"`
	// ShutdownDelay is how long `atlas serve` keeps serving after SIGTERM
	// before it stops accepting connections, so load balancers and
	// Kubernetes endpoints stop routing to it first (no request is refused
	// during a rolling update). Responses in that time close their
	// connection, so keep-alive clients reconnect elsewhere. 0 on a laptop;
	// the Helm chart sets it.
	ShutdownDelay time.Duration `env:"ATLAS_SHUTDOWN_DELAY" envDefault:"0s" json:"shutdown_delay"`

	DatabaseURL Secret `env:"ATLAS_DATABASE_URL" envDefault:"postgres://atlas:atlas@127.0.0.1:5432/atlas?sslmode=disable" json:"database_url"`
	DBMaxConns  int32  `env:"ATLAS_DB_MAX_CONNS" envDefault:"20" json:"db_max_conns"`

	JWTSecret Secret `env:"ATLAS_JWT_SECRET" json:"jwt_secret"`
	JWTIssuer string `env:"ATLAS_JWT_ISSUER" envDefault:"atlas" json:"jwt_issuer"`
	// TokenTTL is the lifetime of an access token; the dashboard refreshes
	// it silently with the session cookie.
	TokenTTL time.Duration `env:"ATLAS_TOKEN_TTL" envDefault:"15m" json:"token_ttl"`
	// SessionIdleTTL ends a session not used (refreshed) for this long;
	// SessionMaxTTL ends every session this long after sign-in.
	SessionIdleTTL time.Duration `env:"ATLAS_SESSION_IDLE_TTL" envDefault:"720h" json:"session_idle_ttl"`
	SessionMaxTTL  time.Duration `env:"ATLAS_SESSION_MAX_TTL" envDefault:"2160h" json:"session_max_ttl"`
	CursorSecret   Secret        `env:"ATLAS_CURSOR_SECRET" json:"cursor_secret"`

	KafkaBrokers     string `env:"ATLAS_KAFKA_BROKERS" envDefault:"127.0.0.1:9092" json:"kafka_brokers"`
	KafkaEventsTopic string `env:"ATLAS_KAFKA_TOPIC_EVENTS" envDefault:"atlas.events.v1" json:"kafka_events_topic"`
	KafkaDLQTopic    string `env:"ATLAS_KAFKA_TOPIC_DLQ" envDefault:"atlas.events.dlq.v1" json:"kafka_dlq_topic"`
	// KafkaCheckpointTopic is the compacted topic of the audit chain's
	// checkpoints (see audit.TopicCheckpoints).
	KafkaCheckpointTopic string `env:"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS" envDefault:"atlas.audit.checkpoints.v1" json:"kafka_checkpoint_topic"`
	// Consumer group membership of the audit consumer and the indexer
	// (see ConsumerGroupSettings in recovery.go).
	KafkaSessionTimeout   time.Duration `env:"ATLAS_KAFKA_SESSION_TIMEOUT" envDefault:"10s" json:"kafka_session_timeout"`
	KafkaGroupInstanceID  string        `env:"ATLAS_KAFKA_GROUP_INSTANCE_ID" json:"kafka_group_instance_id"`
	FaultCrashAfterHandle bool          `env:"ATLAS_FAULT_CRASH_AFTER_HANDLE" json:"fault_crash_after_handle,omitempty"`
	// ReconcileInterval is how often a worker compares (and repairs) the
	// search index and the audit trail with Postgres; 0 turns it off.
	ReconcileInterval time.Duration `env:"ATLAS_RECONCILE_INTERVAL" envDefault:"1h" json:"reconcile_interval"`

	// KafkaSecurity is TLS and SASL for every Kafka client (config/kafka.go).
	KafkaSecurity
	// SMTP is how email is sent, and the public URL its links start with
	// (config/smtp.go).
	SMTP
	// LinkCheck paces the link checker (config/linkcheck.go).
	LinkCheck

	ElasticsearchURL string `env:"ATLAS_ELASTICSEARCH_URL" envDefault:"http://127.0.0.1:9200" json:"elasticsearch_url"`
	// ElasticsearchAlias is the alias the items are read and written
	// through; its concrete indices are named after it. Empty:
	// search.DefaultAlias ("atlas-items"). Several Atlas installations (or
	// test runs) can share one cluster under aliases of their own.
	ElasticsearchAlias string `env:"ATLAS_ELASTICSEARCH_ALIAS" json:"elasticsearch_alias"`

	// Secured services (secured.go): Elasticsearch credentials and CA,
	// and the opt-out from the production rule against plaintext Postgres.
	ElasticsearchUsername  string `env:"ATLAS_ELASTICSEARCH_USERNAME" json:"elasticsearch_username"`
	ElasticsearchPassword  Secret `env:"ATLAS_ELASTICSEARCH_PASSWORD" json:"elasticsearch_password"`
	ElasticsearchAPIKey    Secret `env:"ATLAS_ELASTICSEARCH_API_KEY" json:"elasticsearch_api_key"`
	ElasticsearchCAFile    string `env:"ATLAS_ELASTICSEARCH_CA_FILE" json:"elasticsearch_ca_file"`
	DatabaseAllowPlaintext bool   `env:"ATLAS_DATABASE_ALLOW_PLAINTEXT" json:"database_allow_plaintext"`

	// PasswordLogin allows registration and sign-in with a password; false
	// leaves single sign-on (OIDC) only.
	PasswordLogin bool `env:"ATLAS_AUTH_PASSWORD_LOGIN" envDefault:"true" json:"auth_password_login"`
	// OIDC are the OpenID Connect providers (ATLAS_OIDC_<NAME>_*, oidc.go).
	OIDC []OIDCProvider `env:"-" json:"oidc_providers"`

	// AdminEmails are the operators allowed into River UI (comma-separated).
	AdminEmails []string `env:"ATLAS_ADMIN_EMAILS" envSeparator:"," json:"admin_emails"`
	// RiverUIPassword lets operators open River UI in a browser with HTTP
	// Basic (their email and this password); empty allows bearer tokens only.
	RiverUIPassword Secret `env:"ATLAS_RIVERUI_PASSWORD" json:"riverui_password"`
	// EnrichTimeout bounds one fetch of an item's URL (DNS, redirects, body);
	// EnrichConnectTimeout one TCP connect or TLS handshake.
	EnrichTimeout        time.Duration `env:"ATLAS_ENRICH_TIMEOUT" envDefault:"15s" json:"enrich_timeout"`
	EnrichConnectTimeout time.Duration `env:"ATLAS_ENRICH_CONNECT_TIMEOUT" envDefault:"5s" json:"enrich_connect_timeout"`
	// FetchAllow names the host names, IP addresses and CIDR networks that
	// every outbound request of Atlas (enrichment, webhooks, archiving,
	// link checks) may reach although the SSRF guard refuses private,
	// loopback and link-local targets (comma-separated; empty by default).
	// The cloud metadata address can never be allowed. Parsed and checked
	// by params.FetchAllow at start-up.
	FetchAllow []string `env:"ATLAS_FETCH_ALLOW" envSeparator:"," json:"fetch_allow"`
	// WebhookTimeout bounds one webhook delivery attempt (connect, request,
	// response headers and the capped body read).
	WebhookTimeout time.Duration `env:"ATLAS_WEBHOOK_TIMEOUT" envDefault:"10s" json:"webhook_timeout"`
	// WebhookRetention is how long the webhook delivery log is kept.
	WebhookRetention time.Duration `env:"ATLAS_WEBHOOK_RETENTION" envDefault:"720h" json:"webhook_retention"`
	// JobRescueAfter is how long a River job may stay running before it is
	// presumed stranded by a worker that died (killed mid-delivery, OOM)
	// and run again; never less than twice ATLAS_ENRICH_TIMEOUT or an
	// attempt of a webhook delivery plus 30 s (params.JobWorker).
	JobRescueAfter time.Duration `env:"ATLAS_JOB_RESCUE_AFTER" envDefault:"2m" json:"job_rescue_after"`

	// OpsAddr is where /health, /ready and /metrics are served: empty means
	// the process's default (serve and dev: their HTTP address; worker
	// 127.0.0.1:9464, audit-consumer 127.0.0.1:9465, indexer 127.0.0.1:9466),
	// "off" means nowhere but the HTTP address of serve and dev.
	OpsAddr string `env:"ATLAS_OPS_ADDR" json:"ops_addr"`
	// RateLimitEnabled turns the HTTP rate limits on or off (on by default
	// in every environment; tests raise the limits instead).
	RateLimitEnabled *bool `env:"ATLAS_RATE_LIMIT_ENABLED" envDefault:"true" json:"rate_limit_enabled"`
	// RateLimitAuthPerMinute caps login, registration and password change
	// attempts per client IP and (login, registration) per email address.
	RateLimitAuthPerMinute int `env:"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE" envDefault:"10" json:"rate_limit_auth_per_minute"`
	// RateLimitRefreshPerMinute caps session refreshes per client IP (every
	// open dashboard tab refreshes every few minutes, and on every reload).
	RateLimitRefreshPerMinute int `env:"ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE" envDefault:"60" json:"rate_limit_refresh_per_minute"`
	// RateLimitUserPerMinute caps the requests of one authenticated user.
	RateLimitUserPerMinute int `env:"ATLAS_RATE_LIMIT_USER_PER_MINUTE" envDefault:"600" json:"rate_limit_user_per_minute"`
	// RateLimitPublicPerMinute caps the reads of public links (public API
	// and public feeds) per client IP.
	RateLimitPublicPerMinute int `env:"ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE" envDefault:"120" json:"rate_limit_public_per_minute"`
	// TrustedProxies are the CIDRs (or IPs) of the reverse proxies in front
	// of the API: only from them is X-Forwarded-For believed when finding a
	// client's IP. Empty: the TCP peer is the client.
	TrustedProxies []string `env:"ATLAS_TRUSTED_PROXIES" envSeparator:"," json:"trusted_proxies"`
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// call the API cross-origin. Empty: no CORS headers at all.
	CORSOrigins []string `env:"ATLAS_CORS_ORIGINS" envSeparator:"," json:"cors_origins"`
	// MaxBodyBytes caps every request body (operations may set lower caps).
	MaxBodyBytes int64 `env:"ATLAS_MAX_BODY_BYTES" envDefault:"1048576" json:"max_body_bytes"`
	// ImportMaxBytes caps a bookmark file uploaded to
	// POST /api/v1/collections/{id}/imports (the one route exempt from
	// MaxBodyBytes); a larger one is refused with 413.
	ImportMaxBytes int64 `env:"ATLAS_IMPORT_MAX_BYTES" envDefault:"52428800" json:"import_max_bytes"`
	// ImportEnrichWorkers is how many ENRICH_URL jobs of imported links a
	// worker process runs at once (River queue "bulk"; links added by hand
	// have the default queue's workers to themselves).
	ImportEnrichWorkers int `env:"ATLAS_IMPORT_ENRICH_WORKERS" envDefault:"2" json:"import_enrich_workers"`
	// Archive is where and how archived copies of pages are kept
	// (config/archive.go).
	Archive

	// GeneratedJWTSecret is true when no secret was configured and a random
	// one was made (development only; tokens do not survive a restart).
	GeneratedJWTSecret bool `env:"-" json:"-"`
	// warnings are accepted settings advised against (see Warnings).
	warnings []string
}

// secretVars may be given as <NAME>_FILE.
var secretVars = []string{"ATLAS_DATABASE_URL", "ATLAS_JWT_SECRET", "ATLAS_CURSOR_SECRET", "ATLAS_RIVERUI_PASSWORD",
	"ATLAS_ELASTICSEARCH_PASSWORD", "ATLAS_ELASTICSEARCH_API_KEY", "ATLAS_SMTP_PASSWORD"}

// Load reads the process environment.
func Load() (Config, error) {
	return LoadFrom(os.Environ())
}

// LoadFrom reads settings from environ ("KEY=value" entries) and validates
// them. Errors name the variable and what is wrong, in one line.
func LoadFrom(environ []string) (Config, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	for _, name := range append(secretVars, kafkaSecretVars...) {
		path, ok := vars[name+"_FILE"]
		if !ok || path == "" {
			continue
		}
		if _, both := vars[name]; both {
			return Config{}, fmt.Errorf("%s and %s_FILE are both set; set only one", name, name)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("%s_FILE: cannot read %s: %v", name, path, errors.Unwrap(err))
		}
		vars[name] = strings.TrimRight(string(b), "\r\n")
	}
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		return Config{}, oneLine(err)
	}
	providers, err := oidcProviders(vars)
	if err != nil {
		return Config{}, err
	}
	c.OIDC = providers
	if err := c.validateAuth(); err != nil {
		return Config{}, err
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	if err := c.validateSecured(vars); err != nil {
		return Config{}, err
	}
	return c, nil
}

// oneLine turns a parse error into one line that names the variable.
func oneLine(err error) error {
	var agg env.AggregateError
	if errors.As(err, &agg) && len(agg.Errors) > 0 {
		err = agg.Errors[0]
	}
	var pe env.ParseError
	if errors.As(err, &pe) {
		if f, ok := reflect.TypeOf(Config{}).FieldByName(pe.Name); ok {
			if name, _, _ := strings.Cut(f.Tag.Get("env"), ","); name != "" {
				return fmt.Errorf("%s: cannot parse as %s: %v", name, strings.TrimPrefix(pe.Type.String(), "*"), pe.Err)
			}
		}
	}
	return errors.New(strings.TrimPrefix(err.Error(), "env: "))
}

func (c *Config) validate() error {
	switch c.Env {
	case EnvDevelopment, EnvProduction:
	default:
		return fmt.Errorf("ATLAS_ENV: must be %q or %q, got %q", EnvDevelopment, EnvProduction, c.Env)
	}
	if u, err := url.Parse(c.DatabaseURL.Value()); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("ATLAS_DATABASE_URL: must be a postgres:// URL")
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
		return fmt.Errorf("ATLAS_HTTP_ADDR: must be host:port or :port, got %q", c.HTTPAddr)
	}
	if c.ShutdownDelay < 0 || c.ShutdownDelay > time.Minute {
		return fmt.Errorf("ATLAS_SHUTDOWN_DELAY: must be between 0s and 1m, got %s", c.ShutdownDelay)
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		return fmt.Errorf("ATLAS_DB_MAX_CONNS: must be between 1 and 1000, got %d", c.DBMaxConns)
	}
	if c.TokenTTL < time.Minute || c.TokenTTL > 24*time.Hour {
		return fmt.Errorf("ATLAS_TOKEN_TTL: must be between 1m and 24h, got %s", c.TokenTTL)
	}
	if c.SessionMaxTTL < time.Hour || c.SessionMaxTTL > 366*24*time.Hour {
		return fmt.Errorf("ATLAS_SESSION_MAX_TTL: must be between 1h and 8784h, got %s", c.SessionMaxTTL)
	}
	if c.SessionIdleTTL < c.TokenTTL || c.SessionIdleTTL > c.SessionMaxTTL {
		return fmt.Errorf("ATLAS_SESSION_IDLE_TTL: must be between ATLAS_TOKEN_TTL (%s) and ATLAS_SESSION_MAX_TTL (%s), got %s",
			c.TokenTTL, c.SessionMaxTTL, c.SessionIdleTTL)
	}
	if c.CursorSecret != "" && len(c.CursorSecret) < 16 {
		return fmt.Errorf("ATLAS_CURSOR_SECRET: must be at least 16 bytes, got %d", len(c.CursorSecret))
	}
	if strings.TrimSpace(c.KafkaBrokers) == "" {
		return errors.New("ATLAS_KAFKA_BROKERS: must not be empty")
	}
	if strings.TrimSpace(c.JWTIssuer) == "" {
		return errors.New("ATLAS_JWT_ISSUER: must not be empty")
	}
	if strings.TrimSpace(c.KafkaEventsTopic) == "" || strings.TrimSpace(c.KafkaDLQTopic) == "" {
		return errors.New("ATLAS_KAFKA_TOPIC_EVENTS and ATLAS_KAFKA_TOPIC_DLQ: must not be empty")
	}
	if c.KafkaEventsTopic == c.KafkaDLQTopic {
		return fmt.Errorf("ATLAS_KAFKA_TOPIC_DLQ: must differ from ATLAS_KAFKA_TOPIC_EVENTS (%q)", c.KafkaEventsTopic)
	}
	if u, err := url.Parse(c.ElasticsearchURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("ATLAS_ELASTICSEARCH_URL: must be an http(s) URL, got %q", c.ElasticsearchURL)
	}
	if err := c.validateJobs(); err != nil {
		return err
	}
	if err := c.validateArchive(); err != nil {
		return err
	}
	if err := c.validateTelemetry(); err != nil {
		return err
	}
	if err := c.validateOps(); err != nil {
		return err
	}
	if err := c.validateKafkaSecurity(); err != nil {
		return err
	}
	if err := c.validateSMTP(); err != nil {
		return err
	}
	if err := c.validateLinkCheck(); err != nil {
		return err
	}
	if err := c.defaultPublicURL(); err != nil {
		return err
	}
	return c.validateRecovery()
}

// ValidateAPI checks the settings only a process serving the HTTP API uses
// (`atlas serve`, `atlas dev`), which LoadFrom leaves alone so that the
// worker, the indexer and the audit consumer start without them: the JWT
// secret is required in production and at least 32 bytes; in development an
// unset one is made up (GeneratedJWTSecret). Like LoadFrom, it names the
// variable and what is wrong in one line.
func (c *Config) ValidateAPI() error {
	switch {
	case c.JWTSecret == "" && c.Env == EnvProduction:
		return errors.New("ATLAS_JWT_SECRET: required when ATLAS_ENV=production (at least 32 bytes; or use ATLAS_JWT_SECRET_FILE)")
	case c.JWTSecret == "":
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		c.JWTSecret, c.GeneratedJWTSecret = Secret(hex.EncodeToString(b)), true
	case len(c.JWTSecret) < 32:
		return fmt.Errorf("ATLAS_JWT_SECRET: must be at least 32 bytes, got %d", len(c.JWTSecret))
	}
	return nil
}

// CursorKey is the key that signs pagination cursors: ATLAS_CURSOR_SECRET,
// or else one derived from the JWT secret.
func (c Config) CursorKey() []byte {
	if c.CursorSecret != "" {
		return []byte(c.CursorSecret.Value())
	}
	sum := sha256.Sum256([]byte("atlas cursor key\x00" + c.JWTSecret.Value()))
	return sum[:]
}

// validateJobs checks the settings of background jobs and River UI, and
// normalises the admin emails (trimmed, lower-case, no empty entries).
func (c *Config) validateJobs() error {
	emails := make([]string, 0, len(c.AdminEmails))
	for _, e := range c.AdminEmails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if at := strings.IndexByte(e, '@'); at < 1 || at == len(e)-1 {
			return fmt.Errorf("ATLAS_ADMIN_EMAILS: %q is not an email address", e)
		}
		emails = append(emails, e)
	}
	c.AdminEmails = emails
	if c.RiverUIPassword != "" && len(c.RiverUIPassword) < 16 {
		return fmt.Errorf("ATLAS_RIVERUI_PASSWORD: must be at least 16 bytes, got %d", len(c.RiverUIPassword))
	}
	if c.EnrichTimeout < time.Second || c.EnrichTimeout > 5*time.Minute {
		return fmt.Errorf("ATLAS_ENRICH_TIMEOUT: must be between 1s and 5m, got %s", c.EnrichTimeout)
	}
	if c.EnrichConnectTimeout < 100*time.Millisecond || c.EnrichConnectTimeout > c.EnrichTimeout {
		return fmt.Errorf("ATLAS_ENRICH_CONNECT_TIMEOUT: must be between 100ms and ATLAS_ENRICH_TIMEOUT (%s), got %s",
			c.EnrichTimeout, c.EnrichConnectTimeout)
	}
	if c.WebhookTimeout < time.Second || c.WebhookTimeout > time.Minute {
		return fmt.Errorf("ATLAS_WEBHOOK_TIMEOUT: must be between 1s and 1m, got %s", c.WebhookTimeout)
	}
	if c.JobRescueAfter < 30*time.Second || c.JobRescueAfter > 24*time.Hour {
		return fmt.Errorf("ATLAS_JOB_RESCUE_AFTER: must be between 30s and 24h, got %s", c.JobRescueAfter)
	}
	if c.WebhookRetention < 24*time.Hour || c.WebhookRetention > 366*24*time.Hour {
		return fmt.Errorf("ATLAS_WEBHOOK_RETENTION: must be between 24h and 8784h, got %s", c.WebhookRetention)
	}
	return nil
}

// OpsAddrOff disables a process's ops listener (ATLAS_OPS_ADDR=off).
const OpsAddrOff = "off"

// RateLimitOn reports whether the HTTP rate limits apply.
func (c Config) RateLimitOn() bool { return c.RateLimitEnabled != nil && *c.RateLimitEnabled }

// validateOps checks the operational settings (ops listener, rate limits,
// proxies, CORS, body cap) and normalises proxies and origins.
func (c *Config) validateOps() error {
	if c.OpsAddr != "" && c.OpsAddr != OpsAddrOff {
		_, port, err := net.SplitHostPort(c.OpsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return fmt.Errorf("ATLAS_OPS_ADDR: must be host:port, :port or %q, got %q", OpsAddrOff, c.OpsAddr)
		}
	}
	if c.RateLimitEnabled == nil {
		on := true
		c.RateLimitEnabled = &on
	}
	if c.RateLimitAuthPerMinute < 1 || c.RateLimitAuthPerMinute > 10_000 {
		return fmt.Errorf("ATLAS_RATE_LIMIT_AUTH_PER_MINUTE: must be between 1 and 10000, got %d", c.RateLimitAuthPerMinute)
	}
	if c.RateLimitRefreshPerMinute < 1 || c.RateLimitRefreshPerMinute > 100_000 {
		return fmt.Errorf("ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE: must be between 1 and 100000, got %d", c.RateLimitRefreshPerMinute)
	}
	if c.RateLimitUserPerMinute < 1 || c.RateLimitUserPerMinute > 1_000_000 {
		return fmt.Errorf("ATLAS_RATE_LIMIT_USER_PER_MINUTE: must be between 1 and 1000000, got %d", c.RateLimitUserPerMinute)
	}
	if c.RateLimitPublicPerMinute < 1 || c.RateLimitPublicPerMinute > 1_000_000 {
		return fmt.Errorf("ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE: must be between 1 and 1000000, got %d", c.RateLimitPublicPerMinute)
	}
	proxies := make([]string, 0, len(c.TrustedProxies))
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("ATLAS_TRUSTED_PROXIES: %q is not an IP address or CIDR prefix", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		proxies = append(proxies, prefix.Masked().String())
	}
	c.TrustedProxies = proxies
	origins := make([]string, 0, len(c.CORSOrigins))
	for _, o := range c.CORSOrigins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		norm, err := corsOrigin(o)
		if err != nil {
			return fmt.Errorf("ATLAS_CORS_ORIGINS: %w", err)
		}
		origins = append(origins, norm)
	}
	c.CORSOrigins = origins
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 100<<20 {
		return fmt.Errorf("ATLAS_MAX_BODY_BYTES: must be between 1024 and 104857600, got %d", c.MaxBodyBytes)
	}
	if c.ImportMaxBytes < 1024 || c.ImportMaxBytes > 1<<30 {
		return fmt.Errorf("ATLAS_IMPORT_MAX_BYTES: must be between 1024 and 1073741824, got %d", c.ImportMaxBytes)
	}
	if c.ImportEnrichWorkers < 1 || c.ImportEnrichWorkers > 100 {
		return fmt.Errorf("ATLAS_IMPORT_ENRICH_WORKERS: must be between 1 and 100, got %d", c.ImportEnrichWorkers)
	}
	return nil
}

// corsOrigin validates one allowed origin and returns it lower-cased.
func corsOrigin(o string) (string, error) {
	if o == "*" {
		return "", errors.New(`"*" is not allowed: list each origin (scheme://host[:port])`)
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin (scheme://host[:port])", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
