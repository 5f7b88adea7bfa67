package webhook

// Workers is the webhook queue's concurrency per worker process (`atlas
// worker` runs it). Deliveries mostly wait on receivers, and a receiver that
// hangs holds a worker until the timeout, so far more than the default
// queue's: with a hundred, fifty receivers hanging at once still leave the
// healthy ones half the workers (see inflight.go; measured by
// BenchmarkWebhookFailingEndpoints).
const Workers = 100
