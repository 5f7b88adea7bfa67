-- A collection always keeps at least one owner. The domain service checks
-- this (and answers 409); this deferred constraint trigger is the backstop
-- that makes the invariant hold under any concurrency or any other writer.
-- It runs at commit, so deleting a whole collection (which cascades to its
-- memberships) passes: the collection no longer exists.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION memberships_keep_an_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM collections WHERE id = OLD.collection_id)
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE collection_id = OLD.collection_id AND role = 'owner') THEN
        RAISE EXCEPTION 'collection % would have no owner', OLD.collection_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_keep_an_owner';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER memberships_keep_an_owner
    AFTER UPDATE OF role OR DELETE ON memberships
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION memberships_keep_an_owner();

-- +goose Down
DROP TRIGGER memberships_keep_an_owner ON memberships;
DROP FUNCTION memberships_keep_an_owner();
