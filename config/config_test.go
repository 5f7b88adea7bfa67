package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/jobs"
)

const jwt32 = "0123456789abcdef0123456789abcdef" // 32 bytes

func load(t *testing.T, env ...string) config.Config {
	t.Helper()
	c, err := config.LoadFrom(env)
	require.NoError(t, err)
	return c
}

func TestLoad_Defaults(t *testing.T) {
	t.Parallel()
	c := load(t)
	assert.Equal(t, config.EnvDevelopment, c.Env)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
	assert.Equal(t, "postgres://atlas:atlas@127.0.0.1:5432/atlas?sslmode=disable", c.DatabaseURL.Value())
	assert.Equal(t, int32(20), c.DBMaxConns)
	assert.Equal(t, jobs.DefaultBulkWorkers, c.ImportEnrichWorkers)
	assert.Empty(t, c.JWTSecret, "only the API's processes need a JWT secret (ValidateAPI)")
	assert.Equal(t, "atlas", c.JWTIssuer)
	assert.Equal(t, 15*time.Minute, c.TokenTTL)
	assert.Equal(t, 30*24*time.Hour, c.SessionIdleTTL)
	assert.Equal(t, 90*24*time.Hour, c.SessionMaxTTL)
	assert.Empty(t, c.CursorSecret)
	assert.Equal(t, "127.0.0.1:9092", c.KafkaBrokers)
	assert.Equal(t, "atlas.events.v1", c.KafkaEventsTopic)
	assert.Equal(t, "atlas.events.dlq.v1", c.KafkaDLQTopic)
	assert.Equal(t, 10*time.Second, c.KafkaSessionTimeout)
	assert.Empty(t, c.KafkaGroupInstanceID)
	assert.False(t, c.FaultCrashAfterHandle)
	assert.Equal(t, time.Hour, c.ReconcileInterval)
	assert.Equal(t, "http://127.0.0.1:9200", c.ElasticsearchURL)
	assert.Empty(t, c.AdminEmails)
	assert.Empty(t, c.RiverUIPassword)
	assert.Equal(t, 15*time.Second, c.EnrichTimeout)
	assert.Equal(t, 5*time.Second, c.EnrichConnectTimeout)
	assert.Empty(t, c.OpsAddr)
	assert.True(t, c.RateLimitOn(), "rate limits are on in every environment")
	assert.Equal(t, 10, c.RateLimitAuthPerMinute)
	assert.Equal(t, 60, c.RateLimitRefreshPerMinute)
	assert.Equal(t, 600, c.RateLimitUserPerMinute)
	assert.Equal(t, 120, c.RateLimitPublicPerMinute)
	assert.Empty(t, c.TrustedProxies)
	assert.Empty(t, c.CORSOrigins)
	assert.Equal(t, int64(1<<20), c.MaxBodyBytes)
	assert.Equal(t, int64(50<<20), c.ImportMaxBytes)
}

// variable is one setting with a valid non-default value and what it gives.
type variable struct {
	name, value string
	check       func(t *testing.T, c config.Config)
}

// variables covers every ATLAS_* variable (TestEveryVariableIsTested keeps
// the list complete).
var variables = []variable{
	{"ATLAS_ENV", "production", func(t *testing.T, c config.Config) { assert.Equal(t, config.EnvProduction, c.Env) }},
	{"ATLAS_LOG_LEVEL", "debug", func(t *testing.T, c config.Config) { assert.Equal(t, slog.LevelDebug, c.LogLevel) }},
	{"ATLAS_LOG_FORMAT", "gcp", func(t *testing.T, c config.Config) { assert.Equal(t, "gcp", c.LogFormat) }},
	{"ATLAS_GCP_PROJECT", "my-project", func(t *testing.T, c config.Config) { assert.Equal(t, "my-project", c.GCPProject) }},
	{"ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318", func(t *testing.T, c config.Config) {
		assert.Equal(t, "http://otel-collector:4318", c.OTLPEndpoint)
	}},
	{"ATLAS_OTEL_SERVICE_NAME", "atlas-staging", func(t *testing.T, c config.Config) { assert.Equal(t, "atlas-staging", c.OTelServiceName) }},
	{"ATLAS_OTEL_TRACES_SAMPLER_RATIO", "0.25", func(t *testing.T, c config.Config) { assert.InDelta(t, 0.25, c.OTelSampleRatio, 1e-9) }},
	{"ATLAS_HTTP_ADDR", ":9000", func(t *testing.T, c config.Config) { assert.Equal(t, ":9000", c.HTTPAddr) }},
	{"ATLAS_SHUTDOWN_DELAY", "5s", func(t *testing.T, c config.Config) { assert.Equal(t, 5*time.Second, c.ShutdownDelay) }},
	{"ATLAS_DATABASE_URL", "postgresql://u:p@db:5433/x", func(t *testing.T, c config.Config) {
		assert.Equal(t, "postgresql://u:p@db:5433/x", c.DatabaseURL.Value())
	}},
	{"ATLAS_DB_MAX_CONNS", "7", func(t *testing.T, c config.Config) { assert.Equal(t, int32(7), c.DBMaxConns) }},
	{"ATLAS_JWT_SECRET", jwt32, func(t *testing.T, c config.Config) {
		assert.Equal(t, jwt32, c.JWTSecret.Value())
		assert.False(t, c.GeneratedJWTSecret)
	}},
	{"ATLAS_JWT_ISSUER", "atlas-test", func(t *testing.T, c config.Config) { assert.Equal(t, "atlas-test", c.JWTIssuer) }},
	{"ATLAS_TOKEN_TTL", "5m", func(t *testing.T, c config.Config) { assert.Equal(t, 5*time.Minute, c.TokenTTL) }},
	{"ATLAS_SESSION_IDLE_TTL", "24h", func(t *testing.T, c config.Config) { assert.Equal(t, 24*time.Hour, c.SessionIdleTTL) }},
	{"ATLAS_SESSION_MAX_TTL", "4320h", func(t *testing.T, c config.Config) { assert.Equal(t, 180*24*time.Hour, c.SessionMaxTTL) }},
	{"ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE", "120", func(t *testing.T, c config.Config) { assert.Equal(t, 120, c.RateLimitRefreshPerMinute) }},
	{"ATLAS_CURSOR_SECRET", "cursor-secret-16b", func(t *testing.T, c config.Config) {
		assert.Equal(t, "cursor-secret-16b", c.CursorSecret.Value())
		assert.Equal(t, []byte("cursor-secret-16b"), c.CursorKey())
	}},
	{"ATLAS_KAFKA_BROKERS", "k1:9092,k2:9092", func(t *testing.T, c config.Config) { assert.Equal(t, "k1:9092,k2:9092", c.KafkaBrokers) }},
	{"ATLAS_KAFKA_TOPIC_EVENTS", "ev", func(t *testing.T, c config.Config) { assert.Equal(t, "ev", c.KafkaEventsTopic) }},
	{"ATLAS_KAFKA_TOPIC_DLQ", "dead", func(t *testing.T, c config.Config) { assert.Equal(t, "dead", c.KafkaDLQTopic) }},
	{"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS", "cp", func(t *testing.T, c config.Config) { assert.Equal(t, "cp", c.KafkaCheckpointTopic) }},
	{"ATLAS_KAFKA_SESSION_TIMEOUT", "20s", func(t *testing.T, c config.Config) {
		assert.Equal(t, map[string]string{"session.timeout.ms": "20000", "heartbeat.interval.ms": "4000"},
			c.ConsumerGroupSettings("atlas-audit"))
	}},
	{"ATLAS_KAFKA_GROUP_INSTANCE_ID", "atlas-indexer-0", func(t *testing.T, c config.Config) {
		assert.Equal(t, "atlas-indexer-0.atlas-indexer", c.ConsumerGroupSettings("atlas-indexer")["group.instance.id"])
	}},
	{"ATLAS_RECONCILE_INTERVAL", "0", func(t *testing.T, c config.Config) { assert.Zero(t, c.ReconcileInterval) }},
	{"ATLAS_FAULT_CRASH_AFTER_HANDLE", "true", func(t *testing.T, c config.Config) { assert.True(t, c.FaultCrashAfterHandle) }},
	{"ATLAS_ELASTICSEARCH_URL", "https://es.internal:9243", func(t *testing.T, c config.Config) {
		assert.Equal(t, "https://es.internal:9243", c.ElasticsearchURL)
	}},
	{"ATLAS_ELASTICSEARCH_ALIAS", "team-items", func(t *testing.T, c config.Config) {
		assert.Equal(t, "team-items", c.ElasticsearchAlias)
	}},
	{"ATLAS_ADMIN_EMAILS", " Ops@Example.com ,, root@example.com", func(t *testing.T, c config.Config) {
		assert.Equal(t, []string{"ops@example.com", "root@example.com"}, c.AdminEmails)
	}},
	{"ATLAS_RIVERUI_PASSWORD", "river-ui-password-1", func(t *testing.T, c config.Config) {
		assert.Equal(t, "river-ui-password-1", c.RiverUIPassword.Value())
	}},
	{"ATLAS_ENRICH_TIMEOUT", "30s", func(t *testing.T, c config.Config) { assert.Equal(t, 30*time.Second, c.EnrichTimeout) }},
	{"ATLAS_ENRICH_CONNECT_TIMEOUT", "250ms", func(t *testing.T, c config.Config) {
		assert.Equal(t, 250*time.Millisecond, c.EnrichConnectTimeout)
	}},
	{"ATLAS_FETCH_ALLOW", "wiki.corp.example, 10.20.0.0/16,127.0.0.3", func(t *testing.T, c config.Config) {
		assert.Equal(t, []string{"wiki.corp.example", " 10.20.0.0/16", "127.0.0.3"}, c.FetchAllow) // parsed by params.FetchAllow
	}},
	{"ATLAS_WEBHOOK_TIMEOUT", "3s", func(t *testing.T, c config.Config) { assert.Equal(t, 3*time.Second, c.WebhookTimeout) }},
	{"ATLAS_WEBHOOK_RETENTION", "168h", func(t *testing.T, c config.Config) { assert.Equal(t, 7*24*time.Hour, c.WebhookRetention) }},
	{"ATLAS_JOB_RESCUE_AFTER", "45s", func(t *testing.T, c config.Config) { assert.Equal(t, 45*time.Second, c.JobRescueAfter) }},
	{"ATLAS_OPS_ADDR", "0.0.0.0:9464", func(t *testing.T, c config.Config) { assert.Equal(t, "0.0.0.0:9464", c.OpsAddr) }},
	{"ATLAS_RATE_LIMIT_ENABLED", "false", func(t *testing.T, c config.Config) { assert.False(t, c.RateLimitOn()) }},
	{"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE", "3", func(t *testing.T, c config.Config) { assert.Equal(t, 3, c.RateLimitAuthPerMinute) }},
	{"ATLAS_RATE_LIMIT_USER_PER_MINUTE", "1200", func(t *testing.T, c config.Config) { assert.Equal(t, 1200, c.RateLimitUserPerMinute) }},
	{"ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE", "30", func(t *testing.T, c config.Config) { assert.Equal(t, 30, c.RateLimitPublicPerMinute) }},
	{"ATLAS_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,10.1.2.3/16", func(t *testing.T, c config.Config) {
		assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "10.1.0.0/16"}, c.TrustedProxies)
	}},
	{"ATLAS_CORS_ORIGINS", "https://App.Example.com, http://localhost:5173/", func(t *testing.T, c config.Config) {
		assert.Equal(t, []string{"https://app.example.com", "http://localhost:5173"}, c.CORSOrigins)
	}},
	{"ATLAS_MAX_BODY_BYTES", "65536", func(t *testing.T, c config.Config) { assert.Equal(t, int64(65536), c.MaxBodyBytes) }},
	{"ATLAS_IMPORT_MAX_BYTES", "2097152", func(t *testing.T, c config.Config) { assert.Equal(t, int64(2<<20), c.ImportMaxBytes) }},
	{"ATLAS_IMPORT_ENRICH_WORKERS", "5", func(t *testing.T, c config.Config) { assert.Equal(t, 5, c.ImportEnrichWorkers) }},
	{"ATLAS_ARCHIVE_DIR", "/var/lib/atlas/archive", func(t *testing.T, c config.Config) {
		assert.Equal(t, "/var/lib/atlas/archive", c.ArchiveDir)
		assert.True(t, c.ArchiveEnabled())
	}},
	{"ATLAS_ARCHIVE_GCS_BUCKET", "atlas-archive", func(t *testing.T, c config.Config) {
		assert.Equal(t, "atlas-archive", c.ArchiveGCSBucket)
		assert.True(t, c.ArchiveEnabled())
	}},
	{"ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM", "10485760", func(t *testing.T, c config.Config) { assert.Equal(t, int64(10<<20), c.ArchiveMaxBytesPerItem) }},
	{"ATLAS_ARCHIVE_MAX_RESOURCE_BYTES", "1048576", func(t *testing.T, c config.Config) { assert.Equal(t, int64(1<<20), c.ArchiveMaxResourceBytes) }},
	{"ATLAS_ARCHIVE_TIMEOUT", "2m", func(t *testing.T, c config.Config) { assert.Equal(t, 2*time.Minute, c.ArchiveTimeout) }},
	{"ATLAS_PREVIEW_IMAGES", "false", func(t *testing.T, c config.Config) { assert.False(t, c.PreviewImages) }},
	{"ATLAS_PREVIEW_MAX_BYTES", "1048576", func(t *testing.T, c config.Config) { assert.Equal(t, int64(1<<20), c.PreviewMaxBytes) }},
	{"ATLAS_PREVIEW_MAX_PIXELS", "4000000", func(t *testing.T, c config.Config) { assert.Equal(t, int64(4_000_000), c.PreviewMaxPixels) }},
	{"ATLAS_LINKCHECK_INTERVAL", "0", func(t *testing.T, c config.Config) { assert.Zero(t, c.LinkCheckInterval) }},
	{"ATLAS_LINKCHECK_CONFIRM_AFTER", "2h", func(t *testing.T, c config.Config) { assert.Equal(t, 2*time.Hour, c.LinkCheckConfirmAfter) }},
	{"ATLAS_LINKCHECK_TIMEOUT", "20s", func(t *testing.T, c config.Config) { assert.Equal(t, 20*time.Second, c.LinkCheckTimeout) }},
	{"ATLAS_LINKCHECK_HOST_INTERVAL", "5s", func(t *testing.T, c config.Config) { assert.Equal(t, 5*time.Second, c.LinkCheckHostInterval) }},
	{"ATLAS_LINKCHECK_CONCURRENCY", "3", func(t *testing.T, c config.Config) { assert.Equal(t, 3, c.LinkCheckConcurrency) }},
	{"ATLAS_LINKCHECK_MAX_PER_SWEEP", "50", func(t *testing.T, c config.Config) { assert.Equal(t, 50, c.LinkCheckMaxPerSweep) }},
	{"ATLAS_LINKCHECK_SWEEP_EVERY", "5s", func(t *testing.T, c config.Config) { assert.Equal(t, 5*time.Second, c.LinkCheckSweepEvery) }},
}

func TestLoad_EachVariable(t *testing.T) {
	t.Parallel()
	for _, v := range variables {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			env := []string{v.name + "=" + v.value}
			if v.name == "ATLAS_ENV" {
				env = append(env, "ATLAS_JWT_SECRET="+jwt32) // production requires it
			}
			if p, ok := partners[v.name]; ok {
				env = append(env, strings.Split(p, "\n")...)
			}
			v.check(t, load(t, env...))
		})
	}
}

// failure is an invalid setting and the one-line error it must give.
type failure struct {
	env  []string
	want string // the error starts with this (the variable's name and the problem)
}

var failures = []failure{
	{[]string{"ATLAS_ENV=staging"}, `ATLAS_ENV: must be "development" or "production", got "staging"`},
	{[]string{"ATLAS_LOG_LEVEL=loud"}, "ATLAS_LOG_LEVEL: cannot parse as slog.Level"},
	{[]string{"ATLAS_LOG_FORMAT=xml"}, `ATLAS_LOG_FORMAT: must be one of [json gcp text], got "xml"`},
	{[]string{"ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT=otel-collector:4317"}, "ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL of an OTLP/HTTP receiver"},
	{[]string{"ATLAS_OTEL_TRACES_SAMPLER_RATIO=2"}, "ATLAS_OTEL_TRACES_SAMPLER_RATIO: must be between 0 and 1, got 2"},
	{[]string{"ATLAS_HTTP_ADDR=8080"}, `ATLAS_HTTP_ADDR: must be host:port or :port, got "8080"`},
	{[]string{"ATLAS_SHUTDOWN_DELAY=2m"}, "ATLAS_SHUTDOWN_DELAY: must be between 0s and 1m, got 2m0s"},
	{[]string{"ATLAS_DATABASE_URL=mysql://x"}, "ATLAS_DATABASE_URL: must be a postgres:// URL"},
	{[]string{"ATLAS_DB_MAX_CONNS=many"}, "ATLAS_DB_MAX_CONNS: cannot parse as int32"},
	{[]string{"ATLAS_DB_MAX_CONNS=0"}, "ATLAS_DB_MAX_CONNS: must be between 1 and 1000, got 0"},
	{[]string{"ATLAS_DB_MAX_CONNS=1001"}, "ATLAS_DB_MAX_CONNS: must be between 1 and 1000, got 1001"},
	{[]string{"ATLAS_JWT_ISSUER= "}, "ATLAS_JWT_ISSUER: must not be empty"},
	{[]string{"ATLAS_TOKEN_TTL=soon"}, "ATLAS_TOKEN_TTL: cannot parse as time.Duration"},
	{[]string{"ATLAS_TOKEN_TTL=30s"}, "ATLAS_TOKEN_TTL: must be between 1m and 24h, got 30s"},
	{[]string{"ATLAS_TOKEN_TTL=25h"}, "ATLAS_TOKEN_TTL: must be between 1m and 24h, got 25h0m0s"},
	{[]string{"ATLAS_SESSION_MAX_TTL=30m"}, "ATLAS_SESSION_MAX_TTL: must be between 1h and 8784h, got 30m0s"},
	{[]string{"ATLAS_SESSION_IDLE_TTL=2400h"}, "ATLAS_SESSION_IDLE_TTL: must be between ATLAS_TOKEN_TTL (15m0s) and ATLAS_SESSION_MAX_TTL (2160h0m0s), got 2400h0m0s"},
	{[]string{"ATLAS_SESSION_IDLE_TTL=5m"}, "ATLAS_SESSION_IDLE_TTL: must be between ATLAS_TOKEN_TTL (15m0s) and ATLAS_SESSION_MAX_TTL (2160h0m0s), got 5m0s"},
	{[]string{"ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE=0"}, "ATLAS_RATE_LIMIT_REFRESH_PER_MINUTE: must be between 1 and 100000, got 0"},
	{[]string{"ATLAS_CURSOR_SECRET=short"}, "ATLAS_CURSOR_SECRET: must be at least 16 bytes, got 5"},
	{[]string{"ATLAS_KAFKA_BROKERS= "}, "ATLAS_KAFKA_BROKERS: must not be empty"},
	{[]string{"ATLAS_KAFKA_TOPIC_EVENTS= "}, "ATLAS_KAFKA_TOPIC_EVENTS and ATLAS_KAFKA_TOPIC_DLQ: must not be empty"},
	{[]string{"ATLAS_KAFKA_TOPIC_DLQ=atlas.events.v1"}, `ATLAS_KAFKA_TOPIC_DLQ: must differ from ATLAS_KAFKA_TOPIC_EVENTS ("atlas.events.v1")`},
	{[]string{"ATLAS_RECONCILE_INTERVAL=10s"}, "ATLAS_RECONCILE_INTERVAL: must be 0 (off) or between 1m and 168h, got 10s"},
	{[]string{"ATLAS_KAFKA_SESSION_TIMEOUT=1s"}, "ATLAS_KAFKA_SESSION_TIMEOUT: must be between 6s and 5m0s, got 1s"},
	{[]string{"ATLAS_KAFKA_GROUP_INSTANCE_ID=pod 1"}, `ATLAS_KAFKA_GROUP_INSTANCE_ID: letters, digits, '.', '_' and '-' only (at most 200), got "pod 1"`},
	{[]string{"ATLAS_ENV=production", "ATLAS_JWT_SECRET=" + jwt32, "ATLAS_FAULT_CRASH_AFTER_HANDLE=1"}, "ATLAS_FAULT_CRASH_AFTER_HANDLE: fault injection is refused when ATLAS_ENV=production"},
	{[]string{"ATLAS_ELASTICSEARCH_URL=127.0.0.1:9200"}, `ATLAS_ELASTICSEARCH_URL: must be an http(s) URL, got "127.0.0.1:9200"`},
	{[]string{"ATLAS_ADMIN_EMAILS=ops@example.com,nobody"}, `ATLAS_ADMIN_EMAILS: "nobody" is not an email address`},
	{[]string{"ATLAS_RIVERUI_PASSWORD=short"}, "ATLAS_RIVERUI_PASSWORD: must be at least 16 bytes, got 5"},
	{[]string{"ATLAS_ENRICH_TIMEOUT=1h"}, "ATLAS_ENRICH_TIMEOUT: must be between 1s and 5m, got 1h0m0s"},
	{[]string{"ATLAS_ENRICH_TIMEOUT=fast"}, "ATLAS_ENRICH_TIMEOUT: cannot parse as time.Duration"},
	{[]string{"ATLAS_ENRICH_CONNECT_TIMEOUT=20s"}, "ATLAS_ENRICH_CONNECT_TIMEOUT: must be between 100ms and ATLAS_ENRICH_TIMEOUT (15s), got 20s"},
	{[]string{"ATLAS_ENRICH_CONNECT_TIMEOUT=1ms"}, "ATLAS_ENRICH_CONNECT_TIMEOUT: must be between 100ms and ATLAS_ENRICH_TIMEOUT (15s), got 1ms"},
	{[]string{"ATLAS_WEBHOOK_TIMEOUT=2m"}, "ATLAS_WEBHOOK_TIMEOUT: must be between 1s and 1m, got 2m0s"},
	{[]string{"ATLAS_WEBHOOK_RETENTION=1h"}, "ATLAS_WEBHOOK_RETENTION: must be between 24h and 8784h, got 1h0m0s"},
	{[]string{"ATLAS_JOB_RESCUE_AFTER=5s"}, "ATLAS_JOB_RESCUE_AFTER: must be between 30s and 24h, got 5s"},
	{[]string{"ATLAS_OPS_ADDR=9464"}, `ATLAS_OPS_ADDR: must be host:port, :port or "off", got "9464"`},
	{[]string{"ATLAS_OPS_ADDR=:http"}, `ATLAS_OPS_ADDR: must be host:port, :port or "off", got ":http"`},
	{[]string{"ATLAS_RATE_LIMIT_ENABLED=maybe"}, "ATLAS_RATE_LIMIT_ENABLED: cannot parse as bool"},
	{[]string{"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE=0"}, "ATLAS_RATE_LIMIT_AUTH_PER_MINUTE: must be between 1 and 10000, got 0"},
	{[]string{"ATLAS_RATE_LIMIT_AUTH_PER_MINUTE=ten"}, "ATLAS_RATE_LIMIT_AUTH_PER_MINUTE: cannot parse as int"},
	{[]string{"ATLAS_RATE_LIMIT_USER_PER_MINUTE=-1"}, "ATLAS_RATE_LIMIT_USER_PER_MINUTE: must be between 1 and 1000000, got -1"},
	{[]string{"ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE=0"}, "ATLAS_RATE_LIMIT_PUBLIC_PER_MINUTE: must be between 1 and 1000000, got 0"},
	{[]string{"ATLAS_TRUSTED_PROXIES=10.0.0.0/8,proxy.internal"}, `ATLAS_TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR prefix`},
	{[]string{"ATLAS_CORS_ORIGINS=*"}, `ATLAS_CORS_ORIGINS: "*" is not allowed: list each origin`},
	{[]string{"ATLAS_CORS_ORIGINS=https://app.example.com/path"}, `ATLAS_CORS_ORIGINS: "https://app.example.com/path" is not an origin`},
	{[]string{"ATLAS_CORS_ORIGINS=app.example.com"}, `ATLAS_CORS_ORIGINS: "app.example.com" is not an origin`},
	{[]string{"ATLAS_MAX_BODY_BYTES=100"}, "ATLAS_MAX_BODY_BYTES: must be between 1024 and 104857600, got 100"},
	{[]string{"ATLAS_MAX_BODY_BYTES=1MB"}, "ATLAS_MAX_BODY_BYTES: cannot parse as int64"},
	{[]string{"ATLAS_IMPORT_MAX_BYTES=10"}, "ATLAS_IMPORT_MAX_BYTES: must be between 1024 and 1073741824, got 10"},
	{[]string{"ATLAS_IMPORT_ENRICH_WORKERS=0"}, "ATLAS_IMPORT_ENRICH_WORKERS: must be between 1 and 100, got 0"},
	{[]string{"ATLAS_ARCHIVE_DIR=/a", "ATLAS_ARCHIVE_GCS_BUCKET=b"}, "ATLAS_ARCHIVE_DIR and ATLAS_ARCHIVE_GCS_BUCKET are both set; set only one"},
	{[]string{"ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM=10"}, "ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM: must be between 65536 and 1073741824, got 10"},
	{[]string{"ATLAS_ARCHIVE_MAX_RESOURCE_BYTES=999999999"}, "ATLAS_ARCHIVE_MAX_RESOURCE_BYTES: must be between 16384 and ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM (20971520), got 999999999"},
	{[]string{"ATLAS_ARCHIVE_TIMEOUT=0s"}, "ATLAS_ARCHIVE_TIMEOUT: must be between 1s and 10m, got 0s"},
	{[]string{"ATLAS_ENV=production", "ATLAS_JWT_SECRET=" + jwt32, "ATLAS_LINKCHECK_INTERVAL=5m"}, "ATLAS_LINKCHECK_INTERVAL: must be 0 (off) or between 1h and 8760h, got 5m0s"},
	{[]string{"ATLAS_LINKCHECK_INTERVAL=5s"}, "ATLAS_LINKCHECK_INTERVAL: must be 0 (off) or between 10s and 8760h in development, got 5s"},
	{[]string{"ATLAS_ENV=production", "ATLAS_JWT_SECRET=" + jwt32, "ATLAS_LINKCHECK_CONFIRM_AFTER=30s"}, "ATLAS_LINKCHECK_CONFIRM_AFTER: must be between 1m and 720h, got 30s"},
	{[]string{"ATLAS_LINKCHECK_CONFIRM_AFTER=0s"}, "ATLAS_LINKCHECK_CONFIRM_AFTER: must be between 1s and 720h in development, got 0s"},
	{[]string{"ATLAS_LINKCHECK_SWEEP_EVERY=0s"}, "ATLAS_LINKCHECK_SWEEP_EVERY: must be between 1s and 1h, got 0s"},
	{[]string{"ATLAS_LINKCHECK_INTERVAL=20s", "ATLAS_LINKCHECK_SWEEP_EVERY=30s"}, "ATLAS_LINKCHECK_SWEEP_EVERY: must not be longer than ATLAS_LINKCHECK_INTERVAL (20s), got 30s"},
	{[]string{"ATLAS_LINKCHECK_TIMEOUT=0s"}, "ATLAS_LINKCHECK_TIMEOUT: must be between 1s and 2m, got 0s"},
	{[]string{"ATLAS_LINKCHECK_CONCURRENCY=0"}, "ATLAS_LINKCHECK_CONCURRENCY: must be between 1 and 256, got 0"},
}

func TestLoad_EveryErrorIsOneLineNamingTheVariable(t *testing.T) {
	t.Parallel()
	for _, f := range failures {
		t.Run(strings.Join(f.env, " "), func(t *testing.T) {
			t.Parallel()
			_, err := config.LoadFrom(f.env)
			require.Error(t, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, f.want), "got %q, want prefix %q", msg, f.want)
			assert.NotContains(t, msg, "\n")
			assert.NotContains(t, msg, "env:")
		})
	}
}

// envNames lists every variable the Config struct reads.
func envNames(t *testing.T) []string {
	t.Helper()
	var names []string
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type) // a block of settings of its own (config/kafka.go)
				continue
			}
			if name, _, _ := strings.Cut(f.Tag.Get("env"), ","); name != "" && name != "-" {
				names = append(names, name)
			}
		}
	}
	walk(reflect.TypeFor[config.Config]())
	require.NotEmpty(t, names)
	return names
}

func TestEveryVariableIsTestedAndDocumented(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile(filepath.Join("..", ".env.example"))
	require.NoError(t, err)
	for _, name := range envNames(t) {
		assert.True(t, slices.ContainsFunc(append(variables, kafkaVariables...), func(v variable) bool { return v.name == name }),
			"%s has no row in variables (config_test.go)", name)
		assert.Contains(t, string(example), "\n"+name+"=", "%s is not documented in .env.example", name)
	}
}

func TestLoad_RateLimitsDefaultOnInEveryEnvironment(t *testing.T) {
	t.Parallel()
	assert.True(t, load(t, "ATLAS_ENV=production", "ATLAS_JWT_SECRET="+jwt32).RateLimitOn())
	assert.False(t, load(t, "ATLAS_ENV=production", "ATLAS_JWT_SECRET="+jwt32, "ATLAS_RATE_LIMIT_ENABLED=false").RateLimitOn())
	assert.True(t, load(t).RateLimitOn())
	assert.False(t, load(t, "ATLAS_RATE_LIMIT_ENABLED=0").RateLimitOn())
}

func TestLoad_OpsAddrOff(t *testing.T) {
	t.Parallel()
	assert.Equal(t, config.OpsAddrOff, load(t, "ATLAS_OPS_ADDR=off").OpsAddr)
}

func TestLoad_CursorKeyDerivedFromJWTSecretWhenUnset(t *testing.T) {
	t.Parallel()
	a := load(t, "ATLAS_JWT_SECRET="+jwt32).CursorKey()
	b := load(t, "ATLAS_JWT_SECRET="+strings.Repeat("z", 32)).CursorKey()
	assert.Len(t, a, 32)
	assert.NotEqual(t, a, b)
	assert.NotContains(t, string(a), jwt32)
}

// secretVars are the variables that may come from a file.
var secretVars = []string{"ATLAS_DATABASE_URL", "ATLAS_JWT_SECRET", "ATLAS_CURSOR_SECRET", "ATLAS_RIVERUI_PASSWORD"}

func secretValue(name string) string {
	if name == "ATLAS_DATABASE_URL" {
		return "postgres://app:from-a-file@db:5432/atlas"
	}
	return "a-secret-read-from-a-file-0123456789"
}

func secretOf(c config.Config, name string) string {
	switch name {
	case "ATLAS_DATABASE_URL":
		return c.DatabaseURL.Value()
	case "ATLAS_JWT_SECRET":
		return c.JWTSecret.Value()
	case "ATLAS_CURSOR_SECRET":
		return c.CursorSecret.Value()
	case "ATLAS_RIVERUI_PASSWORD":
		return c.RiverUIPassword.Value()
	}
	panic("unknown secret " + name)
}

func TestLoad_SecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range secretVars {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, []byte(secretValue(name)+"\r\n"), 0o600))

			c := load(t, name+"_FILE="+path)
			assert.Equal(t, secretValue(name), secretOf(c, name), "read from the file, trailing newline trimmed")

			_, err := config.LoadFrom([]string{name + "=inline", name + "_FILE=" + path})
			require.EqualError(t, err, fmt.Sprintf("%s and %s_FILE are both set; set only one", name, name))

			missing := filepath.Join(dir, "missing")
			_, err = config.LoadFrom([]string{name + "_FILE=" + missing})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), name+"_FILE: cannot read "+missing), err.Error())

			// An empty _FILE is the same as not setting it.
			load(t, name+"_FILE=")
		})
	}
	// A secret from a file is validated like any other.
	short := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(short, []byte("short\n"), 0o600))
	c := load(t, "ATLAS_JWT_SECRET_FILE="+short)
	require.EqualError(t, c.ValidateAPI(), "ATLAS_JWT_SECRET: must be at least 32 bytes, got 5")
}

func TestValidateAPI_JWTSecretRequiredInProductionOnlyByTheAPI(t *testing.T) {
	t.Parallel()
	// Without the secret, production loads (the worker, indexer and audit
	// consumer never read it) but the API's processes refuse it in one line.
	c := load(t, "ATLAS_ENV=production")
	require.EqualError(t, c.ValidateAPI(), "ATLAS_JWT_SECRET: required when ATLAS_ENV=production (at least 32 bytes; or use ATLAS_JWT_SECRET_FILE)")
	c = load(t, "ATLAS_JWT_SECRET=short")
	require.EqualError(t, c.ValidateAPI(), "ATLAS_JWT_SECRET: must be at least 32 bytes, got 5")

	c = load(t)
	require.NoError(t, c.ValidateAPI())
	assert.True(t, c.GeneratedJWTSecret, "development makes up a JWT secret")
	assert.Len(t, c.JWTSecret.Value(), 64)
	c = load(t, "ATLAS_ENV=production", "ATLAS_JWT_SECRET="+jwt32)
	require.NoError(t, c.ValidateAPI())
	assert.False(t, c.GeneratedJWTSecret)
	assert.Equal(t, jwt32, c.JWTSecret.Value())
}

func TestSecrets_RedactedWhenPrinted(t *testing.T) {
	t.Parallel()
	c := load(t,
		"ATLAS_DATABASE_URL=postgres://app:db-password-xyz@db:5432/atlas",
		"ATLAS_JWT_SECRET=jwt-secret-value-0123456789abcdef-xyz",
		"ATLAS_CURSOR_SECRET=cursor-secret-value-xyz",
		"ATLAS_RIVERUI_PASSWORD=riverui-password-value-xyz")
	secrets := []string{"db-password-xyz", "jwt-secret-value", "cursor-secret-value", "riverui-password-value"}

	b, err := json.Marshal(c) // what `atlas config` prints
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c, "jwt", c.JWTSecret)
	for _, out := range []string{string(b), fmt.Sprintf("%v %+v %s", c, c, c.JWTSecret), buf.String()} {
		for _, s := range secrets {
			assert.NotContains(t, out, s)
		}
		assert.Contains(t, out, "[redacted]")
	}
	var printed map[string]any
	require.NoError(t, json.Unmarshal(b, &printed))
	assert.Equal(t, "[redacted]", printed["database_url"])
	assert.Equal(t, "[redacted]", printed["jwt_secret"])
	assert.Equal(t, "127.0.0.1:8080", printed["http_addr"], "settings that are not secret print as they are")
	assert.NotContains(t, printed, "GeneratedJWTSecret")

	empty, err := json.Marshal(load(t))
	require.NoError(t, err)
	assert.Contains(t, string(empty), `"cursor_secret":""`, "an unset secret prints empty, not redacted")
}
