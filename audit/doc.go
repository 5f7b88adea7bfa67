// Package audit keeps Atlas' immutable audit trail: every domain event,
// read from the Kafka events topic by the audit consumer group, becomes one
// row of the append-only Postgres table audit_events.
//
// Exactly once: Recorder is an events.Handler, so the transport forgets a
// batch (the Kafka consumer commits its offsets, wired in cmd/atlas) only
// after it is durable, and Append ignores event ids it already holds,
// so redeliveries after a crash or a rebalance add nothing.
//
// Tamper evidence: rows form one hash chain in append order (seq). Each row
// stores prev_hash, the previous row's hash, and hash = SHA-256(prev_hash ||
// CanonicalContent(row)). Appends hold a table lock that only writers take,
// so concurrent consumers serialise and cannot fork the chain; the database
// refuses UPDATE, DELETE and TRUNCATE. Verify recomputes the chain and names
// the first row that no longer matches (a superuser can bypass triggers, not
// the chain).
//
// Redaction: secrets never belong in an event, and personal fields should
// not be kept forever; both are masked before storage by Redact, driven by
// one list (RedactedFields).
//
// Reads: Service.List answers GET /api/v1/audit, newest first with keyset
// cursors. A caller sees the events of the collections they belong to now,
// plus the membership events about themselves; filters only narrow that.
package audit
