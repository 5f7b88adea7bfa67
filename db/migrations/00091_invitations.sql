-- Invitations: sharing a collection with an email address that has no
-- account yet. The invitee gets a link by email (single use, expiring);
-- accepting it once signed in (after registering) makes them a member with
-- the invited role. A row is a pending invitation: accepting or revoking
-- deletes it. Only the SHA-256 of the link's token is stored, and only once
-- the email is prepared (each send makes a new token: the newest link works).

-- +goose Up
CREATE TABLE collection_invitations (
    id            uuid PRIMARY KEY,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    role          text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    invited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    token_hash    bytea CHECK (octet_length(token_hash) = 32),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL CHECK (expires_at > created_at),
    CONSTRAINT collection_invitations_token_hash_key UNIQUE (token_hash)
);
-- One pending invitation per collection and address (inviting again
-- renews it); the owners' list, newest first, keyset on (created_at, id).
CREATE UNIQUE INDEX collection_invitations_email_key ON collection_invitations (collection_id, lower(email));
CREATE INDEX collection_invitations_list_idx ON collection_invitations (collection_id, created_at DESC, id DESC);

ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved',
    'InvitationCreated', 'InvitationAccepted', 'InvitationRevoked'));

-- +goose Down
-- NOT VALID: the append-only trail may already hold invitation rows.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved')) NOT VALID;
DROP TABLE collection_invitations;
