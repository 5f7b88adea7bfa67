-- Email verification and security notices. A password account's address
-- is verified by a link emailed at registration (single use, a day; only
-- its token's SHA-256 is stored). Security notices (password changed, new
-- API token, sign-in from a new device) go to the account's address unless
-- its holder turns them off. known_devices remembers the user agents an
-- account has signed in from (hashed: a notice names the new one).

-- +goose Up
ALTER TABLE users
    ADD COLUMN email_verified   boolean NOT NULL DEFAULT false,
    ADD COLUMN security_notices boolean NOT NULL DEFAULT true;

CREATE TABLE email_verification_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address the link was sent to: a link verifies only that address.
    email      text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX email_verification_tokens_user_idx ON email_verification_tokens (user_id);

CREATE TABLE known_devices (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash bytea NOT NULL CHECK (octet_length(device_hash) = 32),
    first_seen  timestamptz NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

-- +goose Down
DROP TABLE known_devices;
DROP TABLE email_verification_tokens;
ALTER TABLE users DROP COLUMN security_notices, DROP COLUMN email_verified;
