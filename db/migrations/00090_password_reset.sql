-- Password reset by email: single-use links valid for an hour. Only the
-- SHA-256 of a link's token is stored (the token itself exists only in the
-- email), so a database dump resets no one's password.

-- +goose Up
CREATE TABLE password_reset_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
    -- Set when the link is used; a used link never works again.
    used_at    timestamptz
);
-- A new link replaces the user's unused ones (deleted by user).
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

-- +goose Down
DROP TABLE password_reset_tokens;
