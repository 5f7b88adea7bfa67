package search

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// esURL is the Elasticsearch the integration tests use; scripts/elasticsearch starts one.
func esURL() string {
	if u := os.Getenv("ATLAS_ELASTICSEARCH_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// setup returns an Index on a fresh alias of its own, created and ready, whose writes are visible
// to searches when they return. The alias and its indices are removed when the test ends.
func setup(t *testing.T) *Index {
	t.Helper()
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	ix, err := NewIndex(IndexOpts{
		URLs:    []string{esURL()},
		Alias:   "atlas-test-" + hex.EncodeToString(b[:]),
		Refresh: RefreshWaitFor,
	})
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, ix.Ready(ctx), "Elasticsearch must be reachable at %s (start it with scripts/elasticsearch start)", esURL())
	require.NoError(t, ix.EnsureIndex(ctx))
	t.Cleanup(func() {
		defer ix.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := ix.DeleteIndices(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return ix
}

// docOpts customises a test document.
type docOpts struct {
	Title, Description, Notes, SourceURL string
	Tags                                 []string
	CreatedAt, UpdatedAt                 time.Time
	Version                              int64
	ID                                   uuid.UUID
}

// newDoc builds a document in coll with sensible defaults for unset options.
func newDoc(coll uuid.UUID, o docOpts) Document {
	if o.ID == uuid.Nil {
		o.ID = uuid.Must(uuid.NewV7())
	}
	if o.Title == "" {
		o.Title = "untitled " + o.ID.String()[:8]
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	if o.Version == 0 {
		o.Version = 1
	}
	return Document{
		ID:           o.ID,
		CollectionID: coll,
		Title:        o.Title,
		Description:  o.Description,
		Notes:        o.Notes,
		SourceURL:    o.SourceURL,
		Tags:         o.Tags,
		Metadata:     Metadata{SiteName: "Example", Language: "en"},
		CreatedBy:    uuid.New(),
		CreatedAt:    o.CreatedAt,
		UpdatedAt:    o.UpdatedAt,
		Version:      o.Version,
	}
}

// hitIDs returns the ids of the hits in order.
func hitIDs(res Result) []uuid.UUID {
	out := make([]uuid.UUID, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

// docIDs returns the ids of docs in order.
func docIDs(docs []Document) []uuid.UUID {
	out := make([]uuid.UUID, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

func titleN(i int) string { return fmt.Sprintf("doc %03d", i) }
