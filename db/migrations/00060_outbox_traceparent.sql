-- The trace context an event was recorded in (the W3C traceparent of the
-- API request's or job's span), kept beside the envelope rather than in it:
-- the envelope is the published contract, and this is only what the
-- drainer's publish span needs to become a child of the write's span
-- (see package telemetry). NULL when the write had no span.

-- +goose Up
ALTER TABLE atlas_outbox ADD COLUMN traceparent text;

-- +goose Down
ALTER TABLE atlas_outbox DROP COLUMN traceparent;
