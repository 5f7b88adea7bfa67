// Package jobs sets up River, Atlas' job system, in the same Postgres as the
// data: the insert-only client the API uses to enqueue jobs inside its
// transactions, and the worker client that runs them.
package jobs
