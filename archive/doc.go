// Package archive keeps a copy of the page behind an item's URL that
// outlives the link: a single self-contained HTML file (stylesheets, images
// and fonts inlined by obelisk) and the readable version (readability's
// article as sanitised HTML), made by the ARCHIVE_PAGE job after enrichment
// and stored in a blob.Store (a directory or a GCS bucket).
//
// # Safety
//
// A page is untrusted twice: fetching it, and showing it. Every download of
// a capture (the page, each resource, each redirect) goes through the
// enrichment guard (enrich.Fetcher.Transport: URL rules per request, address
// check at dial time), under a per-resource and a per-item byte limit
// counted after decompression, and one time budget. The copy is then made
// inert (Sanitize: no script, handler, frame, refresh, javascript: URL) and
// served under CopyPolicy, a sandbox without allow-scripts that loads
// nothing from the network, so a script that survived would still not run.
//
// # Consistency
//
// Postgres says which blobs should exist (item_archives, one row per item
// with its latest attempt; item_archive_copies, one row per stored copy).
// An attempt writes its blobs under keys that carry their content's hash,
// then replaces the rows in one transaction, then removes the blobs the old
// rows named: readers see the old copies or the new ones, never a mix, and
// a failed attempt stores nothing (its reason is recorded instead). Rows go
// with their item; blobs go through the ItemDeleted and CollectionDeleted
// events (Service.Handle, consumer group atlas-archive); Reconcile removes
// any blob no row names, so nothing stays orphaned.
package archive
