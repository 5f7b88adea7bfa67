package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/google/uuid"
)

// StoredDocument is a document's id and the version the index holds for it.
type StoredDocument struct {
	ID      uuid.UUID
	Version int64
}

// ScanPage returns up to size documents of the alias with ids above after (uuid.Nil: from the
// start), in id order, with their versions and nothing else. Successive calls walk the whole
// index with search_after on the id keyword, so a caller holds one page at a time however large
// the index is; the order matches Postgres' order of uuid primary keys, which lets a caller merge
// the two streams (reconcile does). A page sees what the last refresh made visible; use
// StoredVersions for a real-time check of a few ids. It fails with ErrNoIndex when the alias does
// not exist.
func (ix *Index) ScanPage(ctx context.Context, after uuid.UUID, size int) ([]StoredDocument, error) {
	query := map[string]any{
		"query":            map[string]any{"match_all": map[string]any{}},
		"sort":             []any{map[string]any{"id": "asc"}},
		"size":             size,
		"_source":          false,
		"version":          true,
		"track_total_hits": false,
	}
	if after != uuid.Nil {
		query["search_after"] = []any{after.String()}
	}
	raw, err := json.Marshal(query)
	if err != nil {
		return nil, fmt.Errorf("scan index: encode query: %w", err)
	}
	var res struct {
		Hits struct {
			Hits []struct {
				ID      string `json:"_id"`
				Version int64  `json:"_version"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := ix.do(ctx, esapi.SearchRequest{Index: []string{ix.alias}, Body: bytes.NewReader(raw)}, &res); err != nil {
		if isErrorType(err, "index_not_found_exception") {
			return nil, fmt.Errorf("scan index: %w", ErrNoIndex)
		}
		return nil, fmt.Errorf("scan index: %w", err)
	}
	out := make([]StoredDocument, 0, len(res.Hits.Hits))
	for _, h := range res.Hits.Hits {
		id, err := uuid.Parse(h.ID)
		if err != nil {
			return nil, fmt.Errorf("scan index: document id %q is not a uuid", h.ID)
		}
		out = append(out, StoredDocument{ID: id, Version: h.Version})
	}
	return out, nil
}
