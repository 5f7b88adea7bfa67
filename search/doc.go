// Package search keeps the Elasticsearch copy of Atlas items and answers full-text queries over it.
//
// Postgres is the source of truth; the index is derived data that can be rebuilt at any time. Items
// live in a concrete index (for example "atlas-items-v1" or "atlas-items-20250102150405-1a2b3c")
// behind an alias ("atlas-items" by default). Readers and writers only ever use the alias, so
// [Index.Rebuild] can load a fresh concrete index and swap the alias atomically while searches keep
// running.
//
// Writes use external versioning: every [Document] carries the item's version, and Elasticsearch
// ignores a write whose version is not newer than the one already stored. Replayed or out-of-order
// events therefore cannot roll an item back, and a version conflict is reported as success.
//
// Reads are always filtered by the collections the caller may see ([Params.CollectionIDs]); an empty
// list matches nothing. [BuildQuery] turns [Params] into the request body without any I/O, so every
// filter and sort combination can be unit tested.
//
// The mapping (mapping/items.json) uses only analysis components built into the Elasticsearch server
// (the standard tokenizer and the lowercase filter and normalizer), so it works on the minimal
// integ-test distribution that scripts/elasticsearch runs as well as on a full distribution.
package search
