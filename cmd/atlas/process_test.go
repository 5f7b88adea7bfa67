package main

import (
	"context"
	"log/slog"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/search/searchtest"
)

// noJWTSecret is the variable set empty: startAtlas sets a secret, and the
// last value of a variable wins.
const noJWTSecret = "ATLAS_JWT_SECRET="

func TestLoadConfig_OnlyTheAPIProcessesNeedTheJWTSecret(t *testing.T) {
	t.Parallel()
	production := func() (config.Config, error) { return config.LoadFrom([]string{"ATLAS_ENV=production"}) }
	for name, cmd := range commands() {
		_, err := loadConfig(cmd, production)
		switch name {
		case "serve", "dev", "all":
			require.EqualError(t, err, "ATLAS_JWT_SECRET: required when ATLAS_ENV=production (at least 32 bytes; or use ATLAS_JWT_SECRET_FILE)", name)
		default:
			require.NoError(t, err, "atlas %s does not use the JWT secret", name)
		}
	}
	cfg, err := loadConfig(commands()["serve"], func() (config.Config, error) { return config.LoadFrom(nil) })
	require.NoError(t, err)
	assert.True(t, cfg.GeneratedJWTSecret, "a development API makes one up")
}

func TestBackgroundProcesses_StartInProductionWithoutJWTSecret(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	for _, sub := range []string{"worker", "indexer", "audit-consumer"} {
		t.Run(sub, func(t *testing.T) {
			t.Parallel()
			opsAddr := freeAddr(t)
			p := startAtlas(t, sub, "ATLAS_ENV=production", noJWTSecret, "ATLAS_DATABASE_URL="+dbtest.URL(t),
				"ATLAS_OPS_ADDR="+opsAddr, "ATLAS_KAFKA_BROKERS="+brokers, "ATLAS_RECONCILE_INTERVAL=0",
				"ATLAS_ELASTICSEARCH_ALIAS="+searchtest.Alias(t),
				"ATLAS_KAFKA_TOPIC_EVENTS="+brokertest.UniqueTopic(t, brokers, 1),
				"ATLAS_KAFKA_TOPIC_DLQ="+brokertest.UniqueTopic(t, brokers, 1),
				"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS="+brokertest.UniqueTopic(t, brokers, 1))
			waitStatus(t, "http://"+opsAddr+"/ready", http.StatusOK, 60*time.Second)
			require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
			require.Equal(t, 0, p.exitCode(t, 45*time.Second), "exit code after SIGTERM")
			// Not "JWT": the topic names in the logs are made from this test's name.
			assert.NotContains(t, p.logs.String(), "ATLAS_JWT_SECRET")
		})
	}
}

func TestServe_WithoutJWTSecretInProductionStopsWithOneLine(t *testing.T) {
	t.Parallel()
	p := startAtlas(t, "serve", "ATLAS_ENV=production", noJWTSecret, "ATLAS_HTTP_ADDR="+freeAddr(t))
	require.Equal(t, 2, p.exitCode(t, 30*time.Second))
	assert.Equal(t, "atlas: configuration: ATLAS_JWT_SECRET: required when ATLAS_ENV=production "+
		"(at least 32 bytes; or use ATLAS_JWT_SECRET_FILE)\n", p.logs.String())
}

// TestDev_BuildsOneSearchIndexAndClosesIt runs `atlas dev` in this test
// process: the API, the worker's REINDEX_ITEM handler and the indexer share
// the start-up's one Index, and the package's leak check (TestMain) fails
// if its connections outlive the process. Before, dev built three Indexes
// (its readiness check's, the API's and the indexer's) and closed none.
func TestDev_BuildsOneSearchIndexAndClosesIt(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	alias := searchtest.Alias(t)
	cfg, err := loadConfig(commands()["dev"], func() (config.Config, error) {
		return config.LoadFrom([]string{"ATLAS_DATABASE_URL=" + dbtest.URL(t), "ATLAS_HTTP_ADDR=" + freeAddr(t),
			"ATLAS_OPS_ADDR=off", "ATLAS_KAFKA_BROKERS=" + brokers, "ATLAS_RECONCILE_INTERVAL=0",
			"ATLAS_ELASTICSEARCH_ALIAS=" + alias, "ATLAS_LOG_LEVEL=error",
			"ATLAS_KAFKA_TOPIC_EVENTS=" + brokertest.UniqueTopic(t, brokers, 1),
			"ATLAS_KAFKA_TOPIC_DLQ=" + brokertest.UniqueTopic(t, brokers, 1),
			"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS=" + brokertest.UniqueTopic(t, brokers, 1)})
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := newDev(ctx, cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	closed := false
	defer func() {
		if !closed {
			p.close()
		}
	}()

	require.NotNil(t, p.index)
	assert.Same(t, p.index, p.api.SearchIndex, "the API searches the process's index")
	syncer, err := p.searchSyncer()
	require.NoError(t, err)
	assert.Same(t, p.index, syncer.Index(), "REINDEX_ITEM and the indexer write through it")

	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	base := "http://" + cfg.HTTPAddr
	waitStatus(t, base+"/ready", http.StatusOK, 60*time.Second) // its Elasticsearch check uses the index
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := p.index.Count(context.Background())
		assert.NoError(c, err, "the indexer creates the index through the process's Index")
	}, 30*time.Second, 100*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, p.index.DeleteIndices(context.Background()))
	p.close()
	closed = true
}
