-- Webhooks (issue 30). An endpoint belongs to a collection (registered by
-- one of its owners) or, with collection_id NULL, to every collection (an
-- administrator's). webhook_messages holds one row per (event, endpoint):
-- the exact body signed and sent, unique per endpoint and event id so that
-- a replayed event enqueues nothing twice. webhook_attempts logs every
-- delivery attempt; messages (and their attempts) older than
-- ATLAS_WEBHOOK_RETENTION are deleted by the WEBHOOK_CLEANUP job.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id                  uuid PRIMARY KEY,
    owner_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    collection_id       uuid REFERENCES collections (id) ON DELETE CASCADE,
    url                 text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2048),
    description         text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    event_types         text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
    enabled             boolean NOT NULL,
    secret              text NOT NULL,
    previous_secret     text,
    previous_expires_at timestamptz,
    failing_since       timestamptz,
    disabled_reason     text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK ((previous_secret IS NULL) = (previous_expires_at IS NULL))
);
-- The dispatcher's lookup: enabled endpoints of a collection, and the global ones.
CREATE INDEX webhook_endpoints_dispatch ON webhook_endpoints (collection_id) WHERE enabled;
CREATE INDEX webhook_endpoints_global ON webhook_endpoints (created_at, id) WHERE collection_id IS NULL;
CREATE INDEX webhook_endpoints_collection ON webhook_endpoints (collection_id, created_at, id);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id);

CREATE TABLE webhook_messages (
    id            uuid PRIMARY KEY,
    endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id      uuid NOT NULL,
    event_type    text NOT NULL,
    collection_id uuid,
    payload       bytea NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    reason        text NOT NULL DEFAULT '',
    attempts      integer NOT NULL DEFAULT 0,
    send          integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_messages_list ON webhook_messages (endpoint_id, created_at, id);
CREATE INDEX webhook_messages_age ON webhook_messages (created_at);

CREATE TABLE webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id       uuid NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    outcome          text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'gone', 'refused')),
    status_code      integer,
    latency_ms       integer NOT NULL CHECK (latency_ms >= 0),
    response_excerpt text NOT NULL DEFAULT '',
    error            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_messages;
DROP TABLE webhook_endpoints;
