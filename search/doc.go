// Package search keeps the Elasticsearch copy of Atlas items and answers full-text queries over it.
//
// Postgres is the source of truth; the index is derived data that can be rebuilt at any time. Items
// live in a concrete index (for example "atlas-items-v1" or "atlas-items-20250102150405-1a2b3c")
// behind an alias ("atlas-items" by default). Readers and writers only ever use the alias, so
// [Index.Rebuild] can load a fresh concrete index and swap the alias atomically while searches keep
// running. While a rebuild loads, the new index also carries the building alias
// ([Index.BuildingAlias]); every write, from any process, goes to it first and then to the alias, so
// the new index misses nothing that changed during the rebuild.
//
// Writes use external versioning: every [Document] carries the item's version, and Elasticsearch
// ignores a write whose version is not newer than the one already stored. A deleted item leaves a
// tombstone one version above the stored document. Replayed or out-of-order events therefore cannot
// roll an item back or bring it back, and a version conflict is reported as success.
//
// The [Syncer] is the indexer's core: [Syncer.Handle] is the events.BatchHandler that process
// wiring (cmd/atlas) subscribes to the events topic as consumer group atlas-indexer; it re-reads the items a batch of events names from Postgres in one
// query and writes them in bulk ([Syncer.Sync]), then records the indexed versions that item
// responses turn into index_status. [Syncer.SyncItem] serves REINDEX_ITEM jobs and [Syncer.Rebuild]
// `atlas search reindex`.
//
// Documents carry the readable text of the item's page (Document.Content, from item_page_texts),
// which is searched and highlighted but excluded from _source, so hits never carry it.
//
// Reads go through [Service.Search], which asks the collection service for the caller's
// collections on every query and signs the pagination cursor. A query's words are all required
// (each fuzzily, by word length), all of them in order boost the score, "quoted phrases" are
// required as written and -words excluded (see parseQueryText and textQuery); when no document
// has every word, [Index.Search] asks again for any word and says so (Result.AnyWord). Totals are
// counted up to [TotalHitsCap]. At the index level, reads are always filtered by the
// collections given in [Params.CollectionIDs]; an empty list matches nothing. [BuildQuery] turns
// [Params] into the request body without any I/O, so every filter and sort combination can be unit
// tested.
//
// The mapping (mapping/items.json) uses only analysis components built into the Elasticsearch server
// (the standard tokenizer and the lowercase filter and normalizer), so it works on the minimal
// integ-test distribution that scripts/elasticsearch runs as well as on a full distribution.
package search
