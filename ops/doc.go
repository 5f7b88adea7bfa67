// Package ops holds what operators and orchestrators need from every Atlas
// process: liveness (/health) and readiness (/ready) with named dependency
// checks, Prometheus metrics on one registry per process (/metrics), and
// the HTTP listener that serves them.
//
// Readiness is a list of Check values: a name and a function. Each process
// assembles the checks of the dependencies it really uses (Postgres always;
// Kafka and Elasticsearch where the process talks to them), and other
// packages add their own with Readiness.Add.
//
// Metrics are grouped by the component that records them; each group is
// created on a registry passed in (never the global default):
//
//   - HTTPMetrics: request count and latency by route pattern, method and
//     status, requests in flight, rate-limit rejections (the api package
//     records them).
//   - NewPoolCollector: pgxpool statistics, read at scrape time.
//   - NewRiverQueueCollector: River jobs by queue and state and the age of
//     the oldest available job, from one cached SQL query.
//   - RiverJobMetrics: job attempt outcomes and durations by kind, from the
//     River client's event subscription.
//   - PublisherMetrics: outbox publish latency, failures and event delay,
//     by wrapping an events.Publisher.
//   - ConsumerMetrics: records processed and failed, batch duration,
//     end-to-end event latency and partition lag per Kafka consumer; the
//     audit consumer and the search indexer hook in with WrapHandler and
//     RegisterLag.
package ops
