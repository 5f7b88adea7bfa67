-- Single sign-on with OpenID Connect: the identities a provider vouches
-- for, each linked to one Atlas user, and the sign-ins in flight between
-- the redirect to a provider and its callback.

-- +goose Up
-- One row per (provider, subject): the provider's stable user id, linked
-- to an Atlas account. A user may have one identity per provider.
CREATE TABLE user_identities (
    provider   text NOT NULL CHECK (provider ~ '^[a-z0-9]{1,40}$'),
    subject    text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The email the provider gave at the last sign-in (informational).
    email      text NOT NULL DEFAULT '' CHECK (char_length(email) <= 254),
    created_at timestamptz NOT NULL,
    last_login_at timestamptz NOT NULL,
    PRIMARY KEY (provider, subject),
    CONSTRAINT user_identities_user_provider_key UNIQUE (user_id, provider)
);

-- A sign-in between the redirect to the provider and its callback, keyed by
-- the SHA-256 of its state. The callback deletes it (single use) and needs
-- the browser that started it (binding_hash: the hash of a short-lived
-- cookie's value). link_user_id is set when a signed-in user links a
-- provider from the account page.
CREATE TABLE oidc_logins (
    state_hash    bytea PRIMARY KEY CHECK (octet_length(state_hash) = 32),
    binding_hash  bytea NOT NULL CHECK (octet_length(binding_hash) = 32),
    provider      text NOT NULL,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    next_path     text NOT NULL DEFAULT '/' CHECK (char_length(next_path) <= 2048),
    link_user_id  uuid REFERENCES users (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved',
    'SSOLinked', 'UserLoggedIn'));

-- +goose Down
-- NOT VALID: the append-only trail may already hold rows of the new types.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved')) NOT VALID;
DROP TABLE oidc_logins;
DROP TABLE user_identities;
