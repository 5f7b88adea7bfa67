-- The webhook endpoints' own events (WebhookCreated, WebhookUpdated,
-- WebhookSecretRotated, WebhookDisabled, WebhookDeleted) join the audit
-- trail: the whole list of 00150 restated with them, as that migration
-- asks (TestTypes_MatchTheAuditTrailsCheckConstraints compares it with
-- events.Types).

-- +goose Up
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved',
    'SSOLinked', 'UserLoggedIn',
    'InvitationCreated', 'InvitationAccepted', 'InvitationRevoked',
    'PublicLinkCreated', 'PublicLinkRevoked',
    'ItemLinkStatusChanged',
    'WebhookCreated', 'WebhookUpdated', 'WebhookSecretRotated', 'WebhookDisabled', 'WebhookDeleted'));

-- +goose Down
-- The append-only trail keeps the events recorded meanwhile: the list stays.
SELECT 1;
