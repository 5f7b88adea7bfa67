-- Per-endpoint ordering by entity (issue 30). An endpoint with ordered set
-- gets the events of one entity (an item, a collection) in the order the
-- dispatcher stored them: a message waits while an earlier one of the same
-- entity to the same endpoint is still pending. seq is that order (the
-- dispatcher inserts in Kafka order, and an entity's events share a
-- partition); entity_id is the envelope's entity; waiting marks a message
-- whose delivery job ended because an earlier one was pending: the
-- earlier one's final attempt enqueues it again.

-- +goose Up
ALTER TABLE webhook_endpoints ADD COLUMN ordered boolean NOT NULL DEFAULT false;
ALTER TABLE webhook_messages ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE webhook_messages ADD COLUMN entity_id uuid;
ALTER TABLE webhook_messages ADD COLUMN waiting boolean NOT NULL DEFAULT false;
-- The gate's lookup: an entity's pending messages to an endpoint, in order.
CREATE INDEX webhook_messages_order ON webhook_messages (endpoint_id, entity_id, seq) WHERE status = 'pending';

-- +goose Down
DROP INDEX webhook_messages_order;
ALTER TABLE webhook_messages DROP COLUMN waiting;
ALTER TABLE webhook_messages DROP COLUMN entity_id;
ALTER TABLE webhook_messages DROP COLUMN seq;
ALTER TABLE webhook_endpoints DROP COLUMN ordered;
