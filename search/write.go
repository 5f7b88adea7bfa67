package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/google/uuid"
)

// Tombstone asks for an item's document to be removed unless the index already holds a newer
// version of it.
type Tombstone struct {
	// ID is the item id.
	ID uuid.UUID
	// Version is the external version of the deletion: it must be greater than the version of the
	// stored document for the delete to take effect. Elasticsearch remembers it for a while
	// (index.gc_deletes, 60 s by default), so a late write of an older version is refused too.
	Version int64
}

// Upsert indexes docs with external versioning: a document whose Version is not newer than the
// stored one is left as it is, and that counts as success. Any other per-document failure is
// returned as a *BulkError.
func (ix *Index) Upsert(ctx context.Context, docs ...Document) error {
	if err := ix.Apply(ctx, docs, nil); err != nil {
		return fmt.Errorf("upsert search documents: %w", err)
	}
	return nil
}

// Delete removes the item's document if the stored version is older than version. A missing
// document or a newer stored version counts as success. It fails with ErrNoIndex when the alias
// does not exist.
func (ix *Index) Delete(ctx context.Context, id uuid.UUID, version int64) error {
	if err := ix.Apply(ctx, nil, []Tombstone{{ID: id, Version: version}}); err != nil {
		return fmt.Errorf("delete search document %s: %w", id, err)
	}
	return nil
}

// Apply writes upserts and deletes with external versioning, in bulk requests of at most
// IndexOpts.BulkSize actions, to the alias and, while a Rebuild is loading a new index in any
// process, to that index too. Stale versions count as success; other per-document failures are
// returned as a *BulkError. It fails with ErrNoIndex when the alias does not exist.
func (ix *Index) Apply(ctx context.Context, upserts []Document, deletes []Tombstone) error {
	if len(upserts) == 0 && len(deletes) == 0 {
		return nil
	}
	for _, d := range upserts {
		if d.ID == uuid.Nil {
			return fmt.Errorf("document has no id")
		}
		if d.Version < 0 {
			return fmt.Errorf("document %s has negative version %d", d.ID, d.Version)
		}
	}
	for _, d := range deletes {
		if d.ID == uuid.Nil || d.Version < 1 {
			return fmt.Errorf("invalid tombstone %s at version %d", d.ID, d.Version)
		}
	}
	t, err := ix.resolve(ctx)
	if err != nil {
		return err
	}
	if len(t.live) == 0 {
		return ErrNoIndex
	}
	// Documents are written through the aliases with require_alias, so a write can never create
	// an index. Deletes cannot require an alias and a delete addressed to a missing index creates
	// that index (no option prevents it), so they go to the concrete indices just resolved.
	//
	// The index being rebuilt is written first: if the rebuild swaps the alias between the two
	// writes, the second one, through the alias, reaches the new index anyway. (The other way
	// round, the first write would land in the old index and the second find the building alias
	// gone, and the change would be lost.)
	if len(t.building) > 0 {
		// The index being rebuilt has periodic refresh turned off, so a refresh=wait_for write
		// to it would never return; it is written without a refresh policy and refreshed before
		// the swap. Its alias may vanish meanwhile (swapped or failed): that is no error.
		if err := ix.write(ctx, ix.BuildingAlias(), t.building, RefreshNone, upserts, deletes); err != nil {
			return fmt.Errorf("write to the index being rebuilt: %w", err)
		}
	}
	if err := ix.write(ctx, ix.alias, t.live, ix.refresh, upserts, deletes); err != nil {
		return err
	}
	return nil
}

// write sends upserts (through alias) and deletes (to each of concrete) in batches.
func (ix *Index) write(ctx context.Context, alias string, concrete []string, refresh Refresh, upserts []Document, deletes []Tombstone) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	actions := 0
	flush := func() error {
		if actions == 0 {
			return nil
		}
		var res bulkResponse
		req := esapi.BulkRequest{Body: bytes.NewReader(body.Bytes()), Refresh: string(refresh)}
		if err := ix.do(ctx, req, &res); err != nil {
			return fmt.Errorf("bulk request: %w", err)
		}
		body.Reset()
		actions = 0
		return res.err(alias)
	}
	for _, d := range upserts {
		if d.Tags == nil {
			d.Tags = []string{}
		}
		action := bulkAction{Index: alias, ID: d.ID.String(), Version: d.Version, VersionType: "external", RequireAlias: true}
		if err := enc.Encode(map[string]bulkAction{"index": action}); err != nil {
			return fmt.Errorf("encode bulk action: %w", err)
		}
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("encode document %s: %w", d.ID, err)
		}
		if actions++; actions >= ix.bulkSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, d := range deletes {
		for _, index := range concrete {
			action := bulkAction{Index: index, ID: d.ID.String(), Version: d.Version, VersionType: "external"}
			if err := enc.Encode(map[string]bulkAction{"delete": action}); err != nil {
				return fmt.Errorf("encode bulk action: %w", err)
			}
			if actions++; actions >= ix.bulkSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// bulkBody encodes index actions for docs, addressed to alias with require_alias.
func bulkBody(alias string, docs []Document) (*bytes.Buffer, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, d := range docs {
		if d.ID == uuid.Nil {
			return nil, fmt.Errorf("document has no id")
		}
		if d.Tags == nil {
			d.Tags = []string{}
		}
		action := bulkAction{Index: alias, ID: d.ID.String(), Version: d.Version, VersionType: "external", RequireAlias: true}
		if err := enc.Encode(map[string]bulkAction{"index": action}); err != nil {
			return nil, fmt.Errorf("encode bulk action: %w", err)
		}
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encode document %s: %w", d.ID, err)
		}
	}
	return &body, nil
}

type bulkAction struct {
	Index        string `json:"_index"`
	ID           string `json:"_id"`
	Version      int64  `json:"version"`
	VersionType  string `json:"version_type"`
	RequireAlias bool   `json:"require_alias,omitempty"`
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
	Result string      `json:"result"`
	Error  *errorCause `json:"error"`
}

// err returns a *BulkError for failed items, ignoring version conflicts (a newer or equal version
// is already stored) and not-found deletes. With optionalAlias set, a write refused because that
// alias no longer exists is ignored too (a rebuild ended between resolving and writing).
func (r *bulkResponse) err(optionalAlias string) error {
	if !r.Errors {
		return nil
	}
	var failed []BulkItemError
	for _, item := range r.Items {
		for _, act := range item {
			if act.Error == nil || act.Status == http.StatusConflict {
				continue
			}
			if optionalAlias != "" && act.Index == optionalAlias && act.Error.Type == "index_not_found_exception" {
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

// StoredVersions returns the version of each document the index holds among ids; ids it does not
// hold are absent from the map. It fails with ErrNoIndex when the alias does not exist.
func (ix *Index) StoredVersions(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int64, error) {
	out := make(map[uuid.UUID]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = id.String()
	}
	body, err := json.Marshal(map[string]any{"ids": strs})
	if err != nil {
		return nil, fmt.Errorf("stored versions: encode request: %w", err)
	}
	var res struct {
		Docs []struct {
			ID      string `json:"_id"`
			Found   bool   `json:"found"`
			Version int64  `json:"_version"`
		} `json:"docs"`
	}
	req := esapi.MgetRequest{Index: ix.alias, Body: bytes.NewReader(body), Source: []string{"false"}, Realtime: ptr(true)}
	if err := ix.do(ctx, req, &res); err != nil {
		if isErrorType(err, "index_not_found_exception") {
			return nil, fmt.Errorf("stored versions: %w", ErrNoIndex)
		}
		return nil, fmt.Errorf("stored versions: %w", err)
	}
	for _, d := range res.Docs {
		if !d.Found {
			continue
		}
		id, err := uuid.Parse(d.ID)
		if err != nil {
			continue
		}
		out[id] = d.Version
	}
	return out, nil
}

// DeleteByCollection removes every document of the collection that is visible to searches when it
// runs, from the alias and from an index being rebuilt. Each document is deleted with a version
// one above the stored one, so a late write of an older version cannot bring it back. (The
// minimal Elasticsearch distribution has no _delete_by_query, so this pages through the
// collection's ids and deletes them in bulk.)
func (ix *Index) DeleteByCollection(ctx context.Context, collectionID uuid.UUID) error {
	t, err := ix.resolve(ctx)
	if err != nil {
		return fmt.Errorf("delete collection %s from search: %w", collectionID, err)
	}
	if len(t.live) == 0 {
		return fmt.Errorf("delete collection %s from search: %w", collectionID, ErrNoIndex)
	}
	// The index being rebuilt first, as in Apply.
	for _, index := range t.building {
		// An index being rebuilt does not refresh by itself: refresh it so the listing sees what
		// the rebuild loaded so far, and write without a refresh policy (see Apply).
		if err := ix.do(ctx, esapi.IndicesRefreshRequest{Index: []string{index}}, nil); err != nil && !isErrorType(err, "index_not_found_exception") {
			return fmt.Errorf("delete collection %s from search (%s, being rebuilt): refresh: %w", collectionID, index, err)
		}
		if err := ix.deleteCollectionFrom(ctx, index, collectionID, RefreshNone); err != nil && !isErrorType(err, "index_not_found_exception") {
			return fmt.Errorf("delete collection %s from search (%s, being rebuilt): %w", collectionID, index, err)
		}
	}
	for _, index := range t.live {
		if err := ix.deleteCollectionFrom(ctx, index, collectionID, ix.refresh); err != nil {
			return fmt.Errorf("delete collection %s from search (%s): %w", collectionID, index, err)
		}
	}
	return nil
}

// deleteCollectionFrom deletes the collection's documents from one concrete index, a page at a
// time.
func (ix *Index) deleteCollectionFrom(ctx context.Context, index string, collectionID uuid.UUID, refresh Refresh) error {
	var after []any
	for {
		query := map[string]any{
			"query":   map[string]any{"term": map[string]any{"collection_id": collectionID.String()}},
			"sort":    []any{map[string]any{"id": "asc"}},
			"size":    ix.bulkSize,
			"_source": false,
			"version": true,
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
					Index   string `json:"_index"`
					ID      string `json:"_id"`
					Version int64  `json:"_version"`
					Sort    []any  `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := ix.do(ctx, esapi.SearchRequest{Index: []string{index}, Body: bytes.NewReader(raw)}, &res); err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		hits := res.Hits.Hits
		if len(hits) == 0 {
			return nil
		}
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for _, h := range hits {
			action := bulkAction{Index: h.Index, ID: h.ID, Version: h.Version + 1, VersionType: "external"}
			if err := enc.Encode(map[string]bulkAction{"delete": action}); err != nil {
				return fmt.Errorf("encode bulk action: %w", err)
			}
		}
		var bulk bulkResponse
		if err := ix.do(ctx, esapi.BulkRequest{Body: &body, Refresh: string(refresh)}, &bulk); err != nil {
			return fmt.Errorf("bulk delete: %w", err)
		}
		if err := bulk.err(""); err != nil {
			return err
		}
		after = hits[len(hits)-1].Sort
	}
}
