// Package reconcile proves, and repairs, that what Atlas derives from
// Postgres matches it: the search index (every item has one document at its
// current version, no document outlives its item) and the audit trail (every
// item and collection has its creation event).
//
// Postgres is the truth and everything else follows it through the outbox,
// Kafka and the consumers, which are built never to lose or reorder a change.
// Reconciliation is the independent check that they did not: a bug, an
// operator restoring an old index snapshot, or a dead-lettered event would
// otherwise leave users without search results for good.
//
// A run streams the items of Postgres (keyset pages by id) and the documents
// of the index (search_after pages by id) side by side and merges them, so it
// holds a page of each at a time whatever their size. Differences found by
// the scan are checked again in real time (the rows and Elasticsearch's
// real-time get) before they count, and changes younger than a grace period
// are ignored, so a write still on its way through Kafka is not reported.
// With Repair, drifted items go through search.Syncer, the indexer's own
// path: current state written with external versions, deleted items
// tombstoned. Audit drift cannot be repaired here (the trail only takes
// events); it is reported and exported as a metric.
//
// `atlas reconcile [--repair]` runs it once; workers run it as the River
// periodic job "reconcile" (ATLAS_RECONCILE_INTERVAL, default hourly) with
// repair on, exporting atlas_search_drift_items and atlas_audit_drift_entities.
package reconcile
