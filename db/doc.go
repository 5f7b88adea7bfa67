// Package db owns Atlas' Postgres plumbing: the connection pool, the
// embedded schema migrations (Atlas' own plus River's), a transaction helper
// and the Querier interface that lets one transaction span several stores.
//
// Domain packages keep their own SQL beside their store methods; db holds
// nothing domain-specific.
package db
