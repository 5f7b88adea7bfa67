-- Feeds and public links (issue 30, parts 2 and 3).
--
-- Feed tokens are personal API tokens of the scope 'feed' (atlas_feed_...):
-- listed and revoked with the account's other tokens, stored as SHA-256
-- hashes, accepted only by the feed routes.
--
-- A public link publishes one collection read-only to anyone who holds its
-- secret (256 random bits, stored as its SHA-256 hash: a database dump
-- reveals no link). Revoking deletes the row, so the link is dead at once.

-- +goose Up
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write', 'feed'));

CREATE TABLE public_links (
    id            uuid PRIMARY KEY,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL,
    -- NULL: the link never expires.
    expires_at    timestamptz CHECK (expires_at > created_at),
    -- The owner lets search engines index the public page (else the
    -- answers carry X-Robots-Tag: noindex).
    indexable     boolean NOT NULL DEFAULT false,
    CONSTRAINT public_links_token_hash_key UNIQUE (token_hash)
);
-- A collection's links, newest first (the Members page).
CREATE INDEX public_links_collection_idx ON public_links (collection_id, created_at DESC, id DESC);

-- The audit trail records PublicLinkCreated and PublicLinkRevoked in the
-- collection's activity.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved',
    'PublicLinkCreated', 'PublicLinkRevoked'));

-- +goose Down
-- NOT VALID: the append-only trail may already hold public link rows.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved')) NOT VALID;
DROP TABLE public_links;
DELETE FROM api_tokens WHERE scope = 'feed';
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write'));
