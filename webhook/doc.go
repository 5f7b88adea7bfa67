// Package webhook sends Atlas' domain events to HTTP endpoints that
// collection owners (one collection) and administrators (every collection)
// register, signed as the Standard Webhooks specification says
// (https://www.standardwebhooks.com).
//
// The way an event takes:
//
//  1. The Dispatcher is a consumer of the events topic (consumer group
//     atlas-webhooks, run by `atlas worker`). For each event about a
//     collection it finds the enabled endpoints subscribed to its type and,
//     in one transaction per batch, stores one message per (event,
//     endpoint) — the exact record value Kafka carried, which is the body
//     sent — and enqueues a WEBHOOK_DELIVER River job for it. The message is
//     unique per (endpoint, event id): a replayed or redelivered event
//     enqueues nothing twice.
//  2. The DeliverWorker posts the body with the headers webhook-id (the
//     event id, for the receiver to deduplicate), webhook-timestamp and
//     webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>",
//     with the endpoint's secret; during a rotation's overlap also with the
//     previous one). It first checks that the endpoint's owner may still
//     manage the collection (removed or demoted owners get no more events).
//     The request goes through the one SSRF guard (enrich.Guard, with
//     ATLAS_FETCH_ALLOW), follows no redirect, has a timeout
//     (ATLAS_WEBHOOK_TIMEOUT) and reads at most ExcerptBytes of the answer.
//  3. A 2xx answer is delivered; 410 Gone disables the endpoint; anything
//     else is retried with exponential backoff and jitter for about a day
//     (RetrySchedule). An endpoint that has failed without a success for a
//     day is disabled, with the reason shown to its owner, who is also
//     emailed (TemplateWebhookDisabled through the mail queue, when email
//     is on and they take notices).
//
// Every attempt is logged (outcome, status code, latency, the first bytes
// of the answer) and kept for ATLAS_WEBHOOK_RETENTION (the WEBHOOK_CLEANUP
// periodic job). Owners list the log, send a message again and send a test
// event through the Service.
//
// Endpoint changes (registered, changed, secret rotated, disabled by
// Atlas, deleted) are Webhook* events in the audit trail; they are never
// offered to endpoints.
//
// Guarantees: at least once per (event, endpoint) while the endpoint is
// enabled and its owner allowed; the same webhook-id on every attempt and
// every resend. An endpoint registered Ordered gets each entity's events in
// the order they happened (see order.go: a later event waits while an
// earlier one is retried); others get events as they come.
package webhook
