package search

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnsureIndex_AddsTheContentFieldToAnIndexCreatedBeforeIt(t *testing.T) {
	t.Parallel()
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	alias := "atlas-test-" + hex.EncodeToString(b[:])
	ix, err := NewIndex(IndexOpts{URLs: []string{esURL()}, Alias: alias, Refresh: RefreshWaitFor})
	require.NoError(t, err)
	t.Cleanup(func() {
		defer ix.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = ix.DeleteIndices(ctx)
	})

	// The index as an older Atlas created it: the same mapping without content.
	var body map[string]any
	require.NoError(t, json.Unmarshal(Mapping(), &body))
	mappings := body["mappings"].(map[string]any)
	delete(mappings, "_source")
	delete(mappings["properties"].(map[string]any), "content")
	body["aliases"] = map[string]any{alias: map[string]any{}}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, esURL()+"/"+alias+"-v1", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	doc := newDoc(uuid.New(), docOpts{Title: "harbour"})
	doc.Content = "the harbour master rang the fog signal"
	require.Error(t, ix.Upsert(t.Context(), doc), "the strict old mapping refuses content")

	require.NoError(t, ix.EnsureIndex(t.Context()))
	require.NoError(t, ix.Upsert(t.Context(), doc))
	res, err := ix.Search(t.Context(), Params{Query: `"fog signal"`, CollectionIDs: []uuid.UUID{doc.CollectionID}})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{doc.ID}, hitIDs(res))
	assert.Empty(t, res.Hits[0].Document.Content, "not returned even where _source still holds it")
}
