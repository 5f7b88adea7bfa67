// Package telemetry is how an Atlas process reports on itself beyond its
// metrics: the logger every process writes with (JSON, Google Cloud
// Logging's structured JSON, or text) and OpenTelemetry traces exported over
// OTLP.
//
// Traces follow a write end to end: the API request's server span, the
// outbox publish span of each event it caused (a child of the request's
// span, remembered in the outbox row), each consumer's batch span (linked
// to the publish spans of its records through the traceparent header every
// event carries) and each River job's span (linked to the span that
// enqueued it). Without ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT no tracer is
// installed and the instrumentation costs next to nothing; trace ids are
// then still carried from an incoming traceparent (or made up) into events
// and log lines.
//
// The tracer provider is the process-wide one (otel.SetTracerProvider),
// installed once by cmd/atlas: OpenTelemetry's instrumentation, River's
// included, finds it there.
package telemetry
