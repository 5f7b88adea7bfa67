// Package searchtest gives each test a real Elasticsearch index of its own: a
// fresh alias on the test cluster, created through search.NewIndex exactly as
// the processes build theirs, and deleted with its concrete indices when the
// test ends. Parallel tests never see each other's documents.
//
// The cluster is the one ATLAS_ELASTICSEARCH_URL names (default
// search.DefaultURL; scripts/elasticsearch starts one). Options returns the
// connection settings every test index uses, so a test that needs an index
// NewIndex does not make (a second client on the same alias, a benchmark's
// cached corpus) still reaches the cluster the same way.
//
// search's own in-package tests cannot import this package (it imports
// search); they keep a setup of their own.
package searchtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/atlasapp/atlas/search"
)

// EnvURL names the variable holding the test cluster's address.
const EnvURL = "ATLAS_ELASTICSEARCH_URL"

// cleanupTimeout bounds the deletion of a test's indices.
const cleanupTimeout = 30 * time.Second

// URL returns the address of the test cluster: ATLAS_ELASTICSEARCH_URL, or
// search.DefaultURL when it is unset.
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return search.DefaultURL
}

// Options returns the search.IndexOpts that reach the test cluster through
// alias, with every other setting at its default. An Index built from them
// without Open must be closed by the test.
func Options(alias string) search.IndexOpts {
	return search.IndexOpts{URLs: []string{URL()}, Alias: alias}
}

// Alias returns an alias no other test uses ("atlas-test-<random hex>").
func Alias(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("searchtest: random alias: %v", err)
	}
	return "atlas-test-" + hex.EncodeToString(b[:])
}

// NewIndex returns an Index with the given refresh policy on a fresh alias of
// its own, checked reachable and with its first concrete index created.
// search.RefreshWaitFor makes each write searchable when it returns;
// search.RefreshNone (production's policy) suits tests that wait for
// visibility themselves. The alias and every index behind it are deleted when
// the test ends. It fails the test if Elasticsearch does not answer.
func NewIndex(t testing.TB, refresh search.Refresh) *search.Index {
	t.Helper()
	opts := Options(Alias(t))
	opts.Refresh = refresh
	ix := Open(t, opts)
	if err := ix.EnsureIndex(t.Context()); err != nil {
		t.Fatalf("searchtest: create index %s: %v", opts.Alias, err)
	}
	return ix
}

// Open builds an Index from opts with search.NewIndex and checks that the
// cluster answers; when the test ends it deletes the alias's indices and
// closes the Index. Use it
// for an index NewIndex does not make (an alias of a given name, a second
// client on an existing alias).
func Open(t testing.TB, opts search.IndexOpts) *search.Index {
	t.Helper()
	ix, err := search.NewIndex(opts)
	if err != nil {
		t.Fatalf("searchtest: new index: %v", err)
	}
	if err := ix.Ready(t.Context()); err != nil {
		t.Fatalf("searchtest: Elasticsearch must be reachable at %s (%s; start it with scripts/elasticsearch start): %v", URL(), EnvURL, err)
	}
	t.Cleanup(func() {
		defer ix.Close()
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := ix.DeleteIndices(ctx); err != nil {
			t.Errorf("searchtest: delete indices of %s: %v", ix.Alias(), err)
		}
	})
	return ix
}
