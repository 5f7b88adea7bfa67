package webhook

// Workers is the webhook queue's concurrency per worker process (`atlas
// worker` runs it): deliveries mostly wait on receivers, so more than the
// default queue's.
const Workers = 20
