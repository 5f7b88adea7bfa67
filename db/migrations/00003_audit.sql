-- Audit trail: one append-only row per domain event, written by the audit
-- consumer (atlas audit-consumer) from the Kafka events topic.
--
-- Tamper evidence: rows form one hash chain in seq order. Each row stores
-- prev_hash (the hash of row seq-1; 32 zero bytes for seq 1) and
-- hash = SHA-256(prev_hash || canonical content of the row), the canonical
-- content being defined by audit.CanonicalContent (every column but the
-- hashes, length-prefixed, data as Postgres renders the jsonb). Writers
-- append under a SHARE ROW EXCLUSIVE lock on the table, so concurrent
-- consumers cannot fork the chain. `atlas audit verify` recomputes it.

-- +goose Up
CREATE TABLE audit_events (
    -- Position in the hash chain: 1, 2, 3, ... without gaps.
    seq           bigint PRIMARY KEY CHECK (seq >= 1),
    event_id      uuid NOT NULL,
    type          text NOT NULL CHECK (type IN ('ItemCreated', 'ItemUpdated', 'ItemDeleted',
                      'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
                      'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved')),
    version       integer NOT NULL CHECK (version >= 1),
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL,
    actor_user_id uuid,
    entity_type   text NOT NULL CHECK (entity_type IN ('item', 'collection', 'membership')),
    entity_id     uuid NOT NULL,
    -- No foreign keys: the trail outlives the users, collections and items
    -- it mentions.
    collection_id uuid NOT NULL,
    data          jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    trace_id      text NOT NULL,
    request_id    text NOT NULL,
    prev_hash     bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash          bytea NOT NULL CHECK (octet_length(hash) = 32),
    -- Consumers deduplicate on the event id (at-least-once delivery).
    CONSTRAINT audit_events_event_id_key UNIQUE (event_id)
);

-- The three query shapes of GET /api/v1/audit, each newest first with a
-- keyset on (occurred_at, event_id):
-- 1. one entity's history;
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, occurred_at DESC, event_id DESC);
-- 2. what one user did;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, occurred_at DESC, event_id DESC)
    WHERE actor_user_id IS NOT NULL;
-- 3. a collection's events in a time range (also serves "everything the
--    caller may see", one collection at a time).
CREATE INDEX audit_events_collection_idx ON audit_events (collection_id, occurred_at DESC, event_id DESC);

-- The database refuses to change or remove audit rows, whoever asks.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege', HINT = 'audit rows can be inserted, never updated or deleted';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
