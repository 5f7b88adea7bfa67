-- The transactional outbox (see events/outbox.go). A write appends its
-- events to atlas_outbox in the same transaction and the same pipelined
-- round trip as its own statements; `atlas worker` drains each lane in seq
-- order, publishes to Kafka and deletes what the broker acknowledged.
--
-- atlas_outbox_lanes has one row per lane: a drainer holds its row
-- FOR UPDATE (SKIP LOCKED) for the whole drain transaction, so exactly one
-- process publishes a lane at a time across all replicas, and Postgres
-- releases the lane the moment a killed drainer's connection drops.
-- The table is narrow and has no secondary index besides (lane, seq), which
-- serves the drain and the backlog metrics.

-- +goose Up
CREATE TABLE atlas_outbox (
    seq        bigserial   PRIMARY KEY,
    lane       smallint    NOT NULL CHECK (lane >= 0),
    key        text        NOT NULL,
    envelope   jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX atlas_outbox_lane_seq_idx ON atlas_outbox (lane, seq);

CREATE TABLE atlas_outbox_lanes (
    lane smallint PRIMARY KEY CHECK (lane >= 0)
);
INSERT INTO atlas_outbox_lanes (lane) SELECT generate_series(0, 7);

-- Events still waiting as River publish_event jobs move to the new table in
-- their order, so an upgrade loses and reorders nothing.
INSERT INTO atlas_outbox (lane, key, envelope, created_at)
SELECT substring(queue FROM 'events_([0-9]+)')::smallint,
       CASE WHEN args->'envelope'->'entity'->>'type' = 'item' THEN args->'envelope'->'entity'->>'id'
            ELSE args->'envelope'->'entity'->>'collection_id' END,
       args->'envelope', created_at
FROM river_job
WHERE kind = 'publish_event' AND state NOT IN ('completed', 'cancelled', 'discarded')
ORDER BY id;
DELETE FROM river_job WHERE kind = 'publish_event' AND state NOT IN ('completed', 'cancelled', 'discarded');

-- +goose Down
DROP TABLE atlas_outbox_lanes;
DROP TABLE atlas_outbox;
