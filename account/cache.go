package account

import (
	"sync"
	"time"
)

// revocationTTL is how long an answer about a session or an API token is
// reused before the database is asked again: the longest a revocation made
// on another replica can go unnoticed. Revocations made in this process
// take effect at once (the entry is dropped).
const revocationTTL = 5 * time.Second

// maxCacheEntries bounds a cache; past it, expired entries are swept, and if
// that is not enough the cache starts over.
const maxCacheEntries = 100_000

// freshCache remembers values for at most ttl.
type freshCache[K comparable, V any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[K]freshEntry[V]
}

type freshEntry[V any] struct {
	v  V
	at time.Time
}

func newFreshCache[K comparable, V any](ttl time.Duration) *freshCache[K, V] {
	return &freshCache[K, V]{ttl: ttl, entries: map[K]freshEntry[V]{}}
}

// get returns the value stored for k if it is younger than the ttl at now.
func (c *freshCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put stores v for k, read at now.
func (c *freshCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCacheEntries {
		for key, e := range c.entries {
			if now.Sub(e.at) >= c.ttl {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= maxCacheEntries {
			c.entries = map[K]freshEntry[V]{}
		}
	}
	c.entries[k] = freshEntry[V]{v: v, at: now}
}

// drop forgets keys.
func (c *freshCache[K, V]) drop(keys ...K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
}
