// Package e2e holds the pipeline's end-to-end tests: each drives the real
// API, lets the outbox drainer publish what the writes committed to a real
// Kafka topic, and checks what reached the far end (the topic itself, the
// audit consumer's rows, the search indexer's Elasticsearch index), across
// the packages that each own one step.
//
// Tests of one step alone stay in that step's package (the outbox in
// events, the consumer in events/broker, the recorder in audit, the syncer
// in search); process-level tests (signals, a killed worker) stay in
// cmd/atlas, which builds the binary they run.
package e2e
