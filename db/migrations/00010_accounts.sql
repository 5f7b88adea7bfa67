-- Accounts people can live with: browser sessions with rotating refresh
-- tokens, personal API tokens, and account security events in the audit
-- trail. Secrets are stored only as SHA-256 hashes: a database dump lets no
-- one sign in.

-- +goose Up
-- One row per signed-in browser (or client using the refresh cookie).
-- Revoking a session deletes its row; access tokens carry the session id
-- and are refused once the row is gone or expired.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Hash of the refresh token currently valid for this session.
    refresh_hash    bytea NOT NULL CHECK (octet_length(refresh_hash) = 32),
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    -- Sliding idle expiry (moved forward on every refresh, never past
    -- absolute_expires_at) and the absolute end of the session.
    expires_at          timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    user_agent      text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 512),
    ip              text NOT NULL DEFAULT '' CHECK (char_length(ip) <= 64),
    CHECK (expires_at <= absolute_expires_at),
    CONSTRAINT sessions_refresh_hash_key UNIQUE (refresh_hash)
);
-- "My sessions", newest first, keyset on (created_at, id).
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at DESC, id DESC);

-- Refresh tokens a session has rotated away from. Presenting one again is
-- reuse (a stolen token raced its owner) and ends the whole session.
CREATE TABLE session_rotated_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    rotated_at timestamptz NOT NULL
);
CREATE INDEX session_rotated_tokens_session_idx ON session_rotated_tokens (session_id);

-- Personal API tokens (atlas_pat_...), for scripts and extensions.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash   bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz CHECK (expires_at > created_at),
    last_used_at timestamptz,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
-- "My tokens", newest first, keyset on (created_at, id).
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at DESC, id DESC);

-- Account security events reach the audit trail as entity type 'user',
-- about no collection.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN (
    'ItemCreated', 'ItemUpdated', 'ItemDeleted',
    'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_entity_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_entity_type_check
    CHECK (entity_type IN ('item', 'collection', 'membership', 'user'));
ALTER TABLE audit_events ALTER COLUMN collection_id DROP NOT NULL;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_collection_id_check
    CHECK ((entity_type = 'user') = (collection_id IS NULL));

-- +goose Down
-- audit_events keeps the wider checks: it is append-only, so account
-- events recorded meanwhile cannot be removed.
DROP TABLE api_tokens;
DROP TABLE session_rotated_tokens;
DROP TABLE sessions;
