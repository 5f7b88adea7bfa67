package search

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/item"
)

func TestDocumentFromItem(t *testing.T) {
	t.Parallel()
	id, coll, user := uuid.New(), uuid.New(), uuid.New()
	url := "https://go.dev/ref/mem"
	created := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("CET", 3600))
	full := item.Item{
		ID: id, CollectionID: coll, Title: "The Go Memory Model", SourceURL: &url,
		Description: "happens-before", Notes: "read twice", Tags: []string{"concurrency", "go"},
		Metadata: json.RawMessage(`{"title":" The Go Memory Model - The Go Programming Language ","site_name":"go.dev",
			"description":"Go spec","canonical_url":"https://go.dev/ref/mem","language":"en","image_url":"https://go.dev/x.png","size":1234}`),
		CreatedBy: &user, Version: 7, CreatedAt: created, UpdatedAt: created.Add(time.Hour), IndexedVersion: 3,
		Link: &item.LinkHealth{Status: item.LinkGone},
	}
	tests := []struct {
		name string
		in   item.Item
		want Document
	}{
		{"every field", full, Document{
			ID: id, CollectionID: coll, Title: "The Go Memory Model", Description: "happens-before", Notes: "read twice",
			SourceURL: url, Tags: []string{"concurrency", "go"},
			Metadata: Metadata{Title: "The Go Memory Model - The Go Programming Language", Description: "Go spec",
				SiteName: "go.dev", CanonicalURL: "https://go.dev/ref/mem", Language: "en"},
			CreatedBy: user, CreatedAt: created.UTC(), UpdatedAt: created.Add(time.Hour).UTC(), Version: 7, LinkStatus: "gone",
		}},
		{"no url, creator, tags or metadata", item.Item{ID: id, CollectionID: coll, Title: "t", Version: 1,
			Metadata: json.RawMessage(`{}`), CreatedAt: created, UpdatedAt: created},
			Document{ID: id, CollectionID: coll, Title: "t", Tags: []string{}, Version: 1, CreatedAt: created.UTC(), UpdatedAt: created.UTC(), LinkStatus: "unknown"}},
		{"metadata of the wrong types is left out", item.Item{ID: id, CollectionID: coll, Title: "t", Version: 1,
			Metadata: json.RawMessage(`{"title":42,"language":["en"],"site_name":"ok"}`), CreatedAt: created, UpdatedAt: created},
			Document{ID: id, CollectionID: coll, Title: "t", Tags: []string{}, Version: 1, Metadata: Metadata{SiteName: "ok"},
				CreatedAt: created.UTC(), UpdatedAt: created.UTC(), LinkStatus: "unknown"}},
		{"unreadable metadata counts as none", item.Item{ID: id, CollectionID: coll, Title: "t", Version: 2,
			Metadata: json.RawMessage(`not json`), CreatedAt: created, UpdatedAt: created},
			Document{ID: id, CollectionID: coll, Title: "t", Tags: []string{}, Version: 2, CreatedAt: created.UTC(), UpdatedAt: created.UTC(), LinkStatus: "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := DocumentFromItem(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.UTC, got.CreatedAt.Location(), "times are stored in UTC")
		})
	}
}

func TestDocumentFromItem_EncodesOnlyMappedFields(t *testing.T) {
	t.Parallel()
	url := "https://example.com"
	user := uuid.New()
	raw, err := json.Marshal(DocumentFromItem(item.Item{ID: uuid.New(), CollectionID: uuid.New(), Title: "x", SourceURL: &url,
		Description: "d", Notes: "n", Tags: []string{"a"}, CreatedBy: &user, Version: 1,
		Metadata: json.RawMessage(`{"title":"t","description":"d","site_name":"s","canonical_url":"c","language":"en",
			"favicon_url":"https://example.com/f.ico","fetched_at":"2026-01-01T00:00:00Z"}`)}))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))

	// The mapping is strict: a field it does not know makes Elasticsearch refuse the document.
	var mapping struct {
		Mappings struct {
			Properties map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"properties"`
		} `json:"mappings"`
	}
	require.NoError(t, json.Unmarshal(Mapping(), &mapping))
	props := mapping.Mappings.Properties
	for name := range doc {
		assert.Contains(t, props, name, "field %s is not in the mapping", name)
	}
	meta, ok := doc["metadata"].(map[string]any)
	require.True(t, ok)
	assert.Len(t, meta, 5, "only the five known metadata fields are kept")
	for name := range meta {
		assert.Contains(t, props["metadata"].Properties, name, "metadata field %s is not in the mapping", name)
	}
}
