package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/google/uuid"
)

// writeTargets returns the alias followed by the concrete indices a running Rebuild is loading, so
// writes made during a rebuild reach the new index too. The caller must call release when its
// write is done.
func (ix *Index) writeTargets() (targets []string, release func()) {
	ix.mu.RLock()
	out := make([]string, 0, 1+len(ix.building))
	out = append(out, ix.alias)
	for name := range ix.building {
		out = append(out, name)
	}
	return out, ix.mu.RUnlock
}

// Upsert indexes docs with external versioning: a document whose Version is not newer than the
// stored one is left as it is, and that counts as success. Any other per-document failure is
// returned as a *BulkError.
func (ix *Index) Upsert(ctx context.Context, docs ...Document) error {
	targets, release := ix.writeTargets()
	defer release()
	if err := ix.bulkIndex(ctx, targets[:1], ix.refresh, docs); err != nil {
		return fmt.Errorf("upsert search documents: %w", err)
	}
	// An index being rebuilt has periodic refresh turned off, so a refresh=wait_for write to it
	// would never return; it is written without a refresh policy and refreshed before the swap.
	if len(targets) > 1 {
		if err := ix.bulkIndex(ctx, targets[1:], RefreshNone, docs); err != nil {
			return fmt.Errorf("upsert search documents into the index being rebuilt: %w", err)
		}
	}
	return nil
}

// bulkIndex writes docs to every target in batches; only the alias is written with require_alias.
func (ix *Index) bulkIndex(ctx context.Context, targets []string, refresh Refresh, docs []Document) error {
	for start := 0; start < len(docs); start += ix.bulkSize {
		end := min(start+ix.bulkSize, len(docs))
		if err := ix.bulkBatch(ctx, targets, refresh, docs[start:end]); err != nil {
			return err
		}
	}
	return nil
}

type bulkAction struct {
	Index        string `json:"_index"`
	ID           string `json:"_id"`
	Version      int64  `json:"version"`
	VersionType  string `json:"version_type"`
	RequireAlias bool   `json:"require_alias,omitempty"`
}

func (ix *Index) bulkBatch(ctx context.Context, targets []string, refresh Refresh, docs []Document) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, d := range docs {
		if d.ID == uuid.Nil {
			return fmt.Errorf("document has no id")
		}
		if d.Version < 0 {
			return fmt.Errorf("document %s has negative version %d", d.ID, d.Version)
		}
		if d.Tags == nil {
			d.Tags = []string{}
		}
		for _, target := range targets {
			action := bulkAction{
				Index:        target,
				ID:           d.ID.String(),
				Version:      d.Version,
				VersionType:  "external",
				RequireAlias: target == ix.alias,
			}
			if err := enc.Encode(map[string]bulkAction{"index": action}); err != nil {
				return fmt.Errorf("encode bulk action: %w", err)
			}
			if err := enc.Encode(d); err != nil {
				return fmt.Errorf("encode document %s: %w", d.ID, err)
			}
		}
	}
	var res bulkResponse
	req := esapi.BulkRequest{Body: &body, Refresh: string(refresh)}
	if err := ix.do(ctx, req, &res); err != nil {
		return fmt.Errorf("bulk request: %w", err)
	}
	return res.err()
}

// bulkResponse is the part of a bulk answer needed to find failed items.
type bulkResponse struct {
	Errors bool                             `json:"errors"`
	Items  []map[string]bulkResponseItemAct `json:"items"`
}

type bulkResponseItemAct struct {
	Index  string      `json:"_index"`
	ID     string      `json:"_id"`
	Status int         `json:"status"`
	Error  *errorCause `json:"error"`
}

// err returns a *BulkError for failed items, ignoring version conflicts (a newer or equal version is
// already stored) and not-found deletes.
func (r *bulkResponse) err() error {
	if !r.Errors {
		return nil
	}
	var failed []BulkItemError
	for _, item := range r.Items {
		for _, act := range item {
			if act.Error == nil || act.Status == http.StatusConflict {
				continue
			}
			failed = append(failed, BulkItemError{
				Index:  act.Index,
				ID:     act.ID,
				Status: act.Status,
				Type:   act.Error.Type,
				Reason: act.Error.Reason,
			})
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &BulkError{Items: failed}
}

// Delete removes the item's document if the stored version is older than version. A missing
// document or a newer stored version counts as success. It fails with ErrNoIndex when the alias
// does not exist.
func (ix *Index) Delete(ctx context.Context, id uuid.UUID, version int64) error {
	targets, release := ix.writeTargets()
	defer release()
	// A delete addressed to a missing index makes Elasticsearch create that index with an empty
	// mapping (and no option prevents it), which would squat on the alias name. So the alias is
	// resolved to its concrete index first.
	concrete, err := ix.aliasIndices(ctx)
	if err != nil {
		return fmt.Errorf("delete search document %s: %w", id, err)
	}
	if len(concrete) == 0 {
		return fmt.Errorf("delete search document %s: %w", id, ErrNoIndex)
	}
	for i, target := range append(concrete, targets[1:]...) {
		refresh := ix.refresh
		if i >= len(concrete) {
			refresh = RefreshNone // an index being rebuilt does not refresh; see Upsert
		}
		req := esapi.DeleteRequest{
			Index:       target,
			DocumentID:  id.String(),
			Version:     ptr(int(version)),
			VersionType: "external",
			Refresh:     string(refresh),
		}
		err := ix.do(ctx, req, nil)
		if err == nil {
			continue
		}
		var re *ResponseError
		ok := errors.As(err, &re)
		if ok && re.Status == http.StatusConflict {
			continue // a newer version is stored
		}
		if ok && re.Status == http.StatusNotFound && re.Type == "" {
			continue // the document is not there (the index itself exists)
		}
		return fmt.Errorf("delete search document %s from %s: %w", id, target, err)
	}
	return nil
}

// DeleteByCollection removes every document of the collection that is visible to searches when it
// runs. (The minimal Elasticsearch distribution has no _delete_by_query, so this pages through the
// collection's ids and deletes them in bulk.)
func (ix *Index) DeleteByCollection(ctx context.Context, collectionID uuid.UUID) error {
	targets, release := ix.writeTargets()
	defer release()
	for i, target := range targets {
		refresh := ix.refresh
		if i > 0 {
			refresh = RefreshNone // an index being rebuilt does not refresh; see Upsert
		}
		if err := ix.deleteCollectionFrom(ctx, target, collectionID, refresh); err != nil {
			return fmt.Errorf("delete collection %s from search (%s): %w", collectionID, target, err)
		}
	}
	return nil
}

// deleteCollectionFrom deletes the collection's documents from one index or alias, a page at a time.
func (ix *Index) deleteCollectionFrom(ctx context.Context, target string, collectionID uuid.UUID, refresh Refresh) error {
	var after []any
	for {
		query := map[string]any{
			"query":   map[string]any{"term": map[string]any{"collection_id": collectionID.String()}},
			"sort":    []any{map[string]any{"id": "asc"}},
			"size":    ix.bulkSize,
			"_source": false,
		}
		if after != nil {
			query["search_after"] = after
		}
		raw, err := json.Marshal(query)
		if err != nil {
			return fmt.Errorf("encode query: %w", err)
		}
		var res struct {
			Hits struct {
				Hits []struct {
					Index string `json:"_index"`
					ID    string `json:"_id"`
					Sort  []any  `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := ix.do(ctx, esapi.SearchRequest{Index: []string{target}, Body: bytes.NewReader(raw)}, &res); err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		hits := res.Hits.Hits
		if len(hits) == 0 {
			return nil
		}
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for _, h := range hits {
			// The concrete index, not the alias: see Delete.
			action := map[string]any{"delete": map[string]any{"_index": h.Index, "_id": h.ID}}
			if err := enc.Encode(action); err != nil {
				return fmt.Errorf("encode bulk action: %w", err)
			}
		}
		var bulk bulkResponse
		if err := ix.do(ctx, esapi.BulkRequest{Body: &body, Refresh: string(refresh)}, &bulk); err != nil {
			return fmt.Errorf("bulk delete: %w", err)
		}
		if err := bulk.err(); err != nil {
			return err
		}
		after = hits[len(hits)-1].Sort
	}
}
