-- Link health: the periodic link checker's state per item (the status
-- people see, the validators of conditional requests, a status seen but
-- not confirmed yet, the next check) and a short history of checks. The
-- audit trail records ItemLinkStatusChanged (a confirmed change only).

-- +goose Up
CREATE TABLE item_link_checks (
    item_id        uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    collection_id  uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    -- The source_url this state is about: a new URL starts afresh.
    source_url     text NOT NULL,
    status         text NOT NULL DEFAULT 'unknown'
                   CHECK (status IN ('unknown', 'ok', 'moved', 'gone', 'server_error', 'unreachable')),
    http_status    int CHECK (http_status BETWEEN 100 AND 599),
    moved_to       text CHECK (char_length(moved_to) <= 2048),
    soft_404       boolean NOT NULL DEFAULT false,
    detail         text NOT NULL DEFAULT '' CHECK (char_length(detail) <= 500),
    etag           text CHECK (char_length(etag) <= 512),
    last_modified  text CHECK (char_length(last_modified) <= 128),
    -- A status observed that differs from status, and how often in a row.
    pending_status text CHECK (pending_status IN ('ok', 'moved', 'gone', 'server_error', 'unreachable')),
    pending_count  int NOT NULL DEFAULT 0 CHECK (pending_count >= 0),
    pending_since  timestamptz,
    checked_at     timestamptz,
    changed_at     timestamptz,
    next_check_at  timestamptz NOT NULL
);
-- The checker's queue: the checks that are due.
CREATE INDEX item_link_checks_due_idx ON item_link_checks (next_check_at);
-- Lists filtered by link status.
CREATE INDEX item_link_checks_status_idx ON item_link_checks (collection_id, status);

CREATE TABLE item_link_history (
    item_id     uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    checked_at  timestamptz NOT NULL,
    status      text NOT NULL CHECK (status IN ('ok', 'moved', 'gone', 'server_error', 'unreachable')),
    http_status int,
    detail      text NOT NULL DEFAULT '' CHECK (char_length(detail) <= 500),
    PRIMARY KEY (item_id, checked_at)
);

ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished', 'ItemLinkStatusChanged'));

-- +goose Down
-- NOT VALID: the append-only trail may already hold ItemLinkStatusChanged rows.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished')) NOT VALID;
DROP TABLE item_link_history;
DROP TABLE item_link_checks;
