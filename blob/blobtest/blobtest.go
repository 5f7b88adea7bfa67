// Package blobtest is the conformance suite every blob.Store passes: the
// same behaviour on a directory and in a bucket.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/blob"
)

// Run runs the suite against fresh, empty stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Helper()
	ctx := context.Background()

	t.Run("PutThenGetReturnsTheBytesAndSize", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		data := make([]byte, 300<<10)
		_, _ = rand.Read(data)
		require.NoError(t, s.Put(ctx, "c1/i1/page.html", data, "text/html"))
		require.Equal(t, data, get(t, s, "c1/i1/page.html", int64(len(data))))
	})

	t.Run("PutReplaces", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		require.NoError(t, s.Put(ctx, "k/v", []byte("first version, longer"), "text/plain"))
		require.NoError(t, s.Put(ctx, "k/v", []byte("second"), "text/plain"))
		require.Equal(t, []byte("second"), get(t, s, "k/v", 6))
	})

	t.Run("EmptyBlob", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		require.NoError(t, s.Put(ctx, "empty", nil, "application/octet-stream"))
		require.Empty(t, get(t, s, "empty", 0))
	})

	t.Run("GetMissingIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, _, err := s.Get(ctx, "nothing/here")
		require.ErrorIs(t, err, blob.ErrNotFound)
	})

	t.Run("DeleteRemovesAndIsIdempotent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		require.NoError(t, s.Put(ctx, "a/b/c", []byte("x"), "text/plain"))
		require.NoError(t, s.Put(ctx, "a/b/d", []byte("y"), "text/plain"))
		require.NoError(t, s.Delete(ctx, "a/b/c"))
		require.NoError(t, s.Delete(ctx, "a/b/c"), "deleting a missing blob is not an error")
		_, _, err := s.Get(ctx, "a/b/c")
		require.ErrorIs(t, err, blob.ErrNotFound)
		require.Equal(t, []byte("y"), get(t, s, "a/b/d", 1), "a sibling survives")
		require.Equal(t, []blob.Info{{Key: "a/b/d", Size: 1}}, list(t, s, ""))
	})

	t.Run("ListByPrefixInKeyOrder", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, k := range []string{"c2/i9/html", "c1/i2/readable", "c1/i1/html", "c1-x/i1/html", "c1/i1/readable", "c10/i/html"} {
			require.NoError(t, s.Put(ctx, k, []byte(k), "text/plain"))
		}
		keys := func(prefix string) []string {
			var out []string
			for _, i := range list(t, s, prefix) {
				out = append(out, i.Key)
				require.Equal(t, int64(len(i.Key)), i.Size, "size of %s", i.Key)
			}
			return out
		}
		require.Equal(t, []string{"c1/i1/html", "c1/i1/readable", "c1/i2/readable"}, keys("c1/"))
		require.Equal(t, []string{"c1/i1/html", "c1/i1/readable"}, keys("c1/i1/"))
		require.Equal(t, []string{"c1-x/i1/html", "c1/i1/html", "c1/i1/readable", "c1/i2/readable", "c10/i/html"}, keys("c1"))
		require.Len(t, keys(""), 6)
		require.Empty(t, keys("c3/"))
	})

	t.Run("ListStopsAtTheCallbacksError", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 3 {
			require.NoError(t, s.Put(ctx, fmt.Sprintf("p/%d", i), []byte("x"), "text/plain"))
		}
		stop := errors.New("stop")
		calls := 0
		err := s.List(ctx, "p/", func(blob.Info) error { calls++; return stop })
		require.ErrorIs(t, err, stop)
		require.Equal(t, 1, calls)
	})

	t.Run("DeletePrefixRemovesOnlyThatPrefix", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, k := range []string{"c1/i1/html", "c1/i1/readable", "c1/i10/html", "c2/i1/html"} {
			require.NoError(t, s.Put(ctx, k, []byte("x"), "text/plain"))
		}
		n, err := blob.DeletePrefix(ctx, s, "c1/i1/")
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, []blob.Info{{Key: "c1/i10/html", Size: 1}, {Key: "c2/i1/html", Size: 1}}, list(t, s, ""))
	})

	t.Run("InvalidKeysAreRefused", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, k := range []string{"", "/abs", "trailing/", "a//b", "../escape", "a/../../b", "a/./b", "UPPER", "sp ace", "a\\b", "~put-x"} {
			require.ErrorIs(t, s.Put(ctx, k, []byte("x"), "text/plain"), blob.ErrInvalidKey, "put %q", k)
			_, _, err := s.Get(ctx, k)
			require.ErrorIs(t, err, blob.ErrInvalidKey, "get %q", k)
			require.ErrorIs(t, s.Delete(ctx, k), blob.ErrInvalidKey, "delete %q", k)
		}
		require.ErrorIs(t, s.List(ctx, "../", func(blob.Info) error { return nil }), blob.ErrInvalidKey)
		require.Empty(t, list(t, s, ""))
	})

	t.Run("ConcurrentPutsOfOneKeyLeaveOneWholeBlob", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = s.Put(ctx, "race/blob", bytes.Repeat([]byte{byte('a' + w)}, 64<<10), "text/plain")
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		got := get(t, s, "race/blob", 64<<10)
		require.Equal(t, bytes.Repeat(got[:1], 64<<10), got, "one writer's whole blob, not a mix")
		require.Equal(t, []blob.Info{{Key: "race/blob", Size: 64 << 10}}, list(t, s, ""), "no temporary leftovers")
	})
}

func get(t *testing.T, s blob.Store, key string, size int64) []byte {
	t.Helper()
	r, info, err := s.Get(context.Background(), key)
	require.NoError(t, err, "get %s", key)
	defer r.Close()
	require.Equal(t, key, info.Key)
	require.Equal(t, size, info.Size, "size of %s", key)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	return data
}

func list(t *testing.T, s blob.Store, prefix string) []blob.Info {
	t.Helper()
	var out []blob.Info
	require.NoError(t, s.List(context.Background(), prefix, func(i blob.Info) error {
		require.WithinDuration(t, time.Now(), i.Modified, time.Minute, "modification time of %s", i.Key)
		i.Modified = time.Time{}
		out = append(out, i)
		return nil
	}))
	return out
}
