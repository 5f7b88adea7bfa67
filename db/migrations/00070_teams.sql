-- Teams: a named group of users (owners and members) that can be a member
-- of a collection with a role. A user's role in a collection is the highest
-- of their direct role and the roles of the teams they belong to
-- (collection.RoleSQL); removing them from a team or the team from the
-- collection takes effect on their next request, as nothing caches it.

-- +goose Up
CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE team_members (
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'member')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
-- "My teams" (newest first) and the team half of the access check: from a
-- user to their teams.
CREATE INDEX team_members_user_idx ON team_members (user_id, created_at DESC, team_id DESC);
-- A team's members in join order, keyset on (created_at, user_id).
CREATE INDEX team_members_team_page_idx ON team_members (team_id, created_at, user_id);

-- A team's membership of a collection. The primary key serves the access
-- check (collection first, then the caller's teams by team_members_pkey).
CREATE TABLE collection_teams (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (collection_id, team_id)
);
-- "Which collections may this caller see": from a team to its collections.
CREATE INDEX collection_teams_team_idx ON collection_teams (team_id, collection_id);
-- A collection's members list merges these with memberships in join order.
CREATE INDEX collection_teams_collection_page_idx ON collection_teams (collection_id, created_at, team_id);

-- A team always keeps at least one owner: the service checks it (409) and
-- this deferred trigger is the backstop, as for collections (00002).
-- +goose StatementBegin
CREATE FUNCTION team_members_keep_an_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM teams WHERE id = OLD.team_id)
       AND NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = OLD.team_id AND role = 'owner') THEN
        RAISE EXCEPTION 'team % would have no owner', OLD.team_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'team_members_keep_an_owner';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER team_members_keep_an_owner
    AFTER UPDATE OF role OR DELETE ON team_members
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION team_members_keep_an_owner();

-- The audit trail records the team events; a team, like a user, belongs to
-- no collection.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_type_check CHECK (type IN ('ItemCreated', 'ItemUpdated',
    'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
    'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved',
    'SessionRevoked', 'RefreshTokenReuseDetected', 'PasswordChanged', 'APITokenCreated', 'APITokenRevoked',
    'ImportFinished',
    'TeamCreated', 'TeamUpdated', 'TeamDeleted', 'TeamMemberAdded', 'TeamMemberRoleChanged', 'TeamMemberRemoved'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_entity_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_entity_type_check
    CHECK (entity_type IN ('item', 'collection', 'membership', 'user', 'team'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_collection_id_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_collection_id_check
    CHECK ((entity_type IN ('user', 'team')) = (collection_id IS NULL));

-- +goose Down
-- audit_events keeps the wider checks: it is append-only, so team events
-- recorded meanwhile cannot be removed.
DROP TRIGGER team_members_keep_an_owner ON team_members;
DROP FUNCTION team_members_keep_an_owner();
DROP TABLE collection_teams;
DROP TABLE team_members;
DROP TABLE teams;
