package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/atlasapp/atlas/retry"
)

// ErrRebuildRunning reports that the building alias already points to an index: another rebuild
// is loading it, or one crashed (see Index.AbandonRebuilds).
var ErrRebuildRunning = errors.New("another search index rebuild is running")

// FeedFunc streams every document that belongs in the index to emit. Rebuild calls it once.
type FeedFunc func(ctx context.Context, emit func(docs ...Document) error) error

// Rebuild loads a new concrete index from feed and swaps the alias to it without downtime: searches
// keep using the old index until one atomic _aliases request moves the alias, after which the old
// index is deleted (IndexOpts.DropDelay later). On error the new index is deleted and the alias is
// left untouched.
//
// The new index carries the building alias while it loads, and every Apply, in this process or
// any other, writes to it as well as to the alias. External versions make the order of the feed's
// writes and those live writes irrelevant, so the new index misses no change made during the
// rebuild. Only one rebuild may run at a time; a second one fails with ErrRebuildRunning.
func (ix *Index) Rebuild(ctx context.Context, feed FeedFunc) (err error) {
	t, err := ix.resolve(ctx)
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	if len(t.building) > 0 {
		return fmt.Errorf("rebuild search index: %w (index %s has alias %s)", ErrRebuildRunning, strings.Join(t.building, ", "), ix.BuildingAlias())
	}
	name, err := ix.newIndexName()
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	// No periodic refresh while loading; the index is refreshed once before the swap.
	body, err := indexBody(ix.replicas, "-1", ix.BuildingAlias())
	if err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	if err := ix.do(ctx, esapi.IndicesCreateRequest{Index: name, Body: bytes.NewReader(body)}, nil); err != nil {
		return fmt.Errorf("rebuild search index: create %s: %w", name, err)
	}
	swapped := false
	defer func() {
		if swapped {
			return
		}
		// Use a fresh context: the caller's may be what failed.
		delErr := ix.do(context.WithoutCancel(ctx), esapi.IndicesDeleteRequest{Index: []string{name}}, nil)
		if delErr != nil {
			err = fmt.Errorf("%w (and removing %s failed: %v)", err, name, delErr)
		}
	}()

	batch := make([]Document, 0, ix.bulkSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// Through the building alias with require_alias: should the index be dropped under us, the
		// load fails instead of creating an index with a guessed mapping.
		err := ix.load(ctx, batch)
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
	actions := make([]map[string]any, 0, len(old)+2)
	for _, o := range old {
		actions = append(actions, map[string]any{"remove": map[string]any{"index": o, "alias": ix.alias}})
	}
	actions = append(actions,
		map[string]any{"add": map[string]any{"index": name, "alias": ix.alias}},
		map[string]any{"remove": map[string]any{"index": name, "alias": ix.BuildingAlias()}})
	if err := ix.updateAliases(ctx, actions); err != nil {
		return fmt.Errorf("rebuild search index: swap alias to %s: %w", name, err)
	}
	swapped = true

	if len(old) > 0 {
		// Writers that resolved the alias just before the swap may still address the old index
		// by name; give them a moment so a delete cannot recreate it.
		// (Cut short when ctx ends: the old index is deleted anyway.)
		_ = retry.Sleep(ctx, ix.dropWait)
		if err := ix.do(context.WithoutCancel(ctx), esapi.IndicesDeleteRequest{Index: old}, nil); err != nil {
			return fmt.Errorf("rebuild search index: alias moved to %s, but deleting %v failed: %w", name, old, err)
		}
	}
	return nil
}

// load writes one batch of the feed to the index being rebuilt.
func (ix *Index) load(ctx context.Context, docs []Document) error {
	var res bulkResponse
	body, err := bulkBody(ix.BuildingAlias(), docs)
	if err != nil {
		return err
	}
	if err := ix.do(ctx, esapi.BulkRequest{Body: body}, &res); err != nil {
		return fmt.Errorf("bulk request: %w", err)
	}
	return res.err("")
}

// AbandonRebuilds deletes the indices a crashed rebuild left behind: those carrying the building
// alias and any "<alias>-*" index the alias does not point to. Run it only when no rebuild is
// running (`atlas search reindex --force` does).
func (ix *Index) AbandonRebuilds(ctx context.Context) ([]string, error) {
	t, err := ix.resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("abandon rebuilds: %w", err)
	}
	var all map[string]any
	req := esapi.IndicesGetSettingsRequest{Index: []string{ix.alias + "-*"}, AllowNoIndices: ptr(true), ExpandWildcards: "all"}
	if err := ix.do(ctx, req, &all); err != nil && !isErrorType(err, "index_not_found_exception") {
		return nil, fmt.Errorf("abandon rebuilds: list indices: %w", err)
	}
	var drop []string
	for name := range all {
		live := false
		for _, l := range t.live {
			live = live || l == name
		}
		if !live {
			drop = append(drop, name)
		}
	}
	for _, b := range t.building {
		if _, listed := all[b]; !listed {
			drop = append(drop, b)
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	if err := ix.do(ctx, esapi.IndicesDeleteRequest{Index: drop}, nil); err != nil {
		return nil, fmt.Errorf("abandon rebuilds: delete %v: %w", drop, err)
	}
	return drop, nil
}
