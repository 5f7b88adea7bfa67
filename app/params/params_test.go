package params_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
)

func TestSearchOpts_RefusesAnAliasElasticsearchCannotName(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom([]string{"ATLAS_ELASTICSEARCH_ALIAS=Team Items"})
	require.NoError(t, err)
	_, err = params.Search(cfg)
	require.EqualError(t, err, `ATLAS_ELASTICSEARCH_ALIAS: invalid alias "Team Items" (lower case, no spaces or special characters)`)
	_, err = params.NewSearchIndex(cfg)
	require.Error(t, err)

	cfg, err = config.LoadFrom([]string{"ATLAS_ELASTICSEARCH_ALIAS=team-items"})
	require.NoError(t, err)
	ix, err := params.NewSearchIndex(cfg)
	require.NoError(t, err)
	defer ix.Close()
	assert.Equal(t, "team-items", ix.Alias())
}

func TestFetchAllow_NamesTheVariableAndRefusesMetadata(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom([]string{"ATLAS_FETCH_ALLOW=wiki.corp.example,169.254.169.254"})
	require.NoError(t, err)
	_, err = params.FetchAllow(cfg)
	require.ErrorContains(t, err, "ATLAS_FETCH_ALLOW: \"169.254.169.254\" is the cloud metadata address")
	_, err = params.Fetcher(cfg)
	require.Error(t, err)

	cfg, err = config.LoadFrom([]string{"ATLAS_FETCH_ALLOW=wiki.corp.example, 10.20.0.0/16"})
	require.NoError(t, err)
	f, err := params.Fetcher(cfg)
	require.NoError(t, err)
	assert.True(t, f.Allow.AllowsHost("wiki.corp.example"))
	assert.True(t, f.Allow.AllowsHost("10.20.9.9"))
	assert.False(t, f.Allow.AllowsHost("10.21.0.1"))
}

func TestArchiveStore_OffWithoutAStoreOnDiskWithADirectory(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom(nil)
	require.NoError(t, err)
	s, closeStore, err := params.ArchiveStore(t.Context(), cfg)
	require.NoError(t, err)
	assert.Nil(t, s, "archiving is off by default")
	require.NoError(t, closeStore())

	dir := t.TempDir()
	cfg, err = config.LoadFrom([]string{"ATLAS_ARCHIVE_DIR=" + dir})
	require.NoError(t, err)
	s, closeStore, err = params.ArchiveStore(t.Context(), cfg)
	require.NoError(t, err)
	defer func() { require.NoError(t, closeStore()) }()
	require.NoError(t, s.Put(t.Context(), "items/k", []byte("x"), "text/plain"))
	assert.FileExists(t, filepath.Join(dir, "items", "k"))
}

func TestJobWorker_RescueNeverBeforeTheLongestJobCouldEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want time.Duration
	}{
		{nil, 2 * time.Minute},
		{[]string{"ATLAS_JOB_RESCUE_AFTER=30s"}, 40 * time.Second}, // a webhook attempt (10 s) plus 30 s
		{[]string{"ATLAS_JOB_RESCUE_AFTER=30s", "ATLAS_WEBHOOK_TIMEOUT=2s"}, 32 * time.Second},
		{[]string{"ATLAS_JOB_RESCUE_AFTER=30s", "ATLAS_ENRICH_TIMEOUT=40s"}, 80 * time.Second},
		{[]string{"ATLAS_JOB_RESCUE_AFTER=30s", "ATLAS_ARCHIVE_DIR=" + t.TempDir()}, 90 * time.Second}, // a capture (60 s) plus 30 s
	} {
		cfg, err := config.LoadFrom(tc.env)
		require.NoError(t, err)
		assert.Equal(t, tc.want, params.JobWorker(cfg).RescueStuckJobsAfter, "%v", tc.env)
	}
}
