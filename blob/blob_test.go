package blob_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/blob/blobtest"
)

func TestDir_Conformance(t *testing.T) {
	t.Parallel()
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.NewDir(t.TempDir())
		require.NoError(t, err)
		return s
	})
}

// TestGCS_Conformance runs the suite against a real GCS API server
// (fake-gcs-server, started by `scripts/gcs start`; scripts/test sets
// STORAGE_EMULATOR_HOST), through the official client, one bucket per test.
func TestGCS_Conformance(t *testing.T) {
	t.Parallel()
	if os.Getenv("STORAGE_EMULATOR_HOST") == "" {
		t.Skip("STORAGE_EMULATOR_HOST is unset: run `scripts/gcs start` and `eval \"$(scripts/gcs env)\"` (scripts/test does)")
	}
	ctx := context.Background()
	admin, err := storage.NewClient(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	blobtest.Run(t, func(t *testing.T) blob.Store {
		var b [8]byte
		_, _ = rand.Read(b[:])
		name := "atlas-test-" + hex.EncodeToString(b[:])
		require.NoError(t, admin.Bucket(name).Create(ctx, "atlas-test", nil))
		s, err := blob.NewGCS(ctx, name)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"a", "c1/i1/html", "0b4f-9a_x.y/z"} {
		require.NoError(t, blob.CheckKey(k), k)
	}
	for _, k := range []string{"", "a/", "/a", "a//b", "..", "a/../b", "A", "a b", "a\x00b"} {
		require.ErrorIs(t, blob.CheckKey(k), blob.ErrInvalidKey, "%q", k)
	}
}
