package search

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// FeedFunc streams every document that belongs in the index to emit. Rebuild calls it once.
type FeedFunc func(ctx context.Context, emit func(docs ...Document) error) error

// Rebuild loads a new concrete index from feed and swaps the alias to it without downtime: searches
// keep using the old index until one atomic _aliases request moves the alias, after which the old
// index is deleted. On error the new index is deleted and the alias is left untouched.
//
// Upserts and deletes made through this Index while the rebuild runs are applied to the new index as
// well. Writes from other processes during a rebuild reach only the old index; replay them (or run
// the indexer's catch-up) after the swap if they may be concurrent.
func (ix *Index) Rebuild(ctx context.Context, feed FeedFunc) (err error) {
	name, err := ix.newIndexName()
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	// No periodic refresh while loading; the index is refreshed once before the swap.
	body, err := indexBody(ix.replicas, "-1", "")
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	if err := ix.do(ctx, esapi.IndicesCreateRequest{Index: name, Body: bytes.NewReader(body)}, nil); err != nil {
		return fmt.Errorf("rebuild search index: create %s: %w", name, err)
	}
	ix.mu.Lock()
	ix.building[name] = struct{}{}
	ix.mu.Unlock()
	swapped := false
	defer func() {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		delete(ix.building, name)
		if !swapped {
			// Use a fresh context: the caller's may be what failed.
			delErr := ix.do(context.WithoutCancel(ctx), esapi.IndicesDeleteRequest{Index: []string{name}}, nil)
			if delErr != nil {
				err = fmt.Errorf("%w (and removing %s failed: %v)", err, name, delErr)
			}
		}
	}()

	batch := make([]Document, 0, ix.bulkSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := ix.bulkIndex(ctx, []string{name}, RefreshNone, batch)
		batch = batch[:0]
		return err
	}
	emit := func(docs ...Document) error {
		for _, d := range docs {
			batch = append(batch, d)
			if len(batch) == ix.bulkSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := feed(ctx, emit); err != nil {
		return fmt.Errorf("rebuild search index: feed: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("rebuild search index: load: %w", err)
	}

	settings := strings.NewReader(`{"index":{"refresh_interval":null}}`)
	if err := ix.do(ctx, esapi.IndicesPutSettingsRequest{Index: []string{name}, Body: settings}, nil); err != nil {
		return fmt.Errorf("rebuild search index: restore refresh interval: %w", err)
	}
	if err := ix.do(ctx, esapi.IndicesRefreshRequest{Index: []string{name}}, nil); err != nil {
		return fmt.Errorf("rebuild search index: refresh %s: %w", name, err)
	}
	health := esapi.ClusterHealthRequest{Index: []string{name}, WaitForStatus: "yellow", Timeout: defaultWait}
	if err := ix.do(ctx, health, nil); err != nil {
		return fmt.Errorf("rebuild search index: wait for %s: %w", name, err)
	}

	old, err := ix.aliasIndices(ctx)
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	actions := make([]map[string]any, 0, len(old)+1)
	for _, o := range old {
		actions = append(actions, map[string]any{"remove": map[string]any{"index": o, "alias": ix.alias}})
	}
	actions = append(actions, map[string]any{"add": map[string]any{"index": name, "alias": ix.alias}})
	if err := ix.updateAliases(ctx, actions); err != nil {
		return fmt.Errorf("rebuild search index: swap alias to %s: %w", name, err)
	}
	swapped = true

	if len(old) > 0 {
		if err := ix.do(ctx, esapi.IndicesDeleteRequest{Index: old}, nil); err != nil {
			return fmt.Errorf("rebuild search index: alias moved to %s, but deleting %v failed: %w", name, old, err)
		}
	}
	return nil
}
