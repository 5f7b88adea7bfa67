-- Unlinking a single sign-on identity from the account page, and the new
-- event type it records.
--
-- users.password_set says whether the account's password is one its owner
-- knows: false for an account created by a first single sign-on (its hash
-- is of a random secret) until a password reset sets one. Unlinking the
-- last identity of such an account is refused, so no account is left with
-- no way to sign in.

-- +goose Up
ALTER TABLE users ADD COLUMN password_set boolean NOT NULL DEFAULT true;
-- Accounts made by a first single sign-on before this column: their user
-- and identity rows were written with the same timestamp. (An account of
-- that kind whose owner reset the password since is marked false too: it
-- errs towards refusing an unlink, never towards allowing one.)
UPDATE users u SET password_set = false
WHERE EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = u.id AND i.created_at = u.created_at);

-- Every event type of the catalogue (events.Types), as 00181 (00150 and
-- the webhook endpoints' events), plus SSOUnlinked.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved',
    'SSOLinked', 'SSOUnlinked', 'UserLoggedIn',
    'InvitationCreated', 'InvitationAccepted', 'InvitationRevoked',
    'PublicLinkCreated', 'PublicLinkRevoked',
    'ItemLinkStatusChanged',
    'WebhookCreated', 'WebhookUpdated', 'WebhookSecretRotated', 'WebhookDisabled', 'WebhookDeleted'));

-- +goose Down
-- The append-only trail keeps the events recorded meanwhile: the wider
-- list stays.
ALTER TABLE users DROP COLUMN password_set;
