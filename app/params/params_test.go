package params_test

import (
	"path/filepath"
	"testing"

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
