// Package broker carries Atlas' domain events over Apache Kafka: the
// idempotent Producer (acks=all) that the outbox's publish jobs deliver
// through, the topics and their creation, and the at-least-once Consumer the
// audit consumer and the search indexer are built on.
//
// The Consumer reads envelopes in batches and commits offsets only after its
// handler succeeded, so a crash or rebalance redelivers rather than loses;
// handlers must therefore be idempotent. Its pieces, one file each: the run
// loop and client lifecycle (consumer.go), a batch's collection, decoding,
// handling and retries (batch.go), the dead-letter topic for records that
// are not valid envelopes (dlq.go), group membership and pausing
// (rebalance.go), and lag (lag.go).
package broker
