// Package blob is Atlas' store of large opaque objects: the archived copies
// of pages. It is one small interface, Store, with two implementations: Dir
// (a directory on disk, the default of a laptop and of `scripts/dev`) and GCS
// (a Google Cloud Storage bucket, production). Postgres says which blobs
// should exist; a blob store only keeps bytes under keys, so that every
// implementation passes the same conformance tests (blobtest).
//
// Keys are slash-separated paths of lower-case letters, digits, '-', '_' and
// '.' (no empty, "." or ".." segment, no leading or trailing slash), so that
// the same key names the same object on a file system and in a bucket, and
// List by prefix works the same on both.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotFound is returned by Get for a key that holds no blob.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidKey is returned for a key outside the key rules of the package.
var ErrInvalidKey = errors.New("blob: invalid key")

// MaxKeyLength bounds a key (GCS allows 1024 bytes of object name).
const MaxKeyLength = 512

// Info describes a stored blob.
type Info struct {
	// Key is the blob's key.
	Key string
	// Size is its length in bytes.
	Size int64
	// Modified is when it was last written (set by List).
	Modified time.Time
}

// Store keeps blobs under keys. Implementations are safe for concurrent use.
type Store interface {
	// Put stores data under key, replacing any blob there. The write is
	// atomic: a reader sees the old blob or the whole new one, never a part.
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Get opens the blob under key (ErrNotFound if there is none). The
	// caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Delete removes the blob under key; a missing blob is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every blob whose key starts with prefix, in key
	// order, stopping at the first error fn returns.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// DeletePrefix removes every blob whose key starts with prefix (a whole
// "directory" when prefix ends with '/'), returning how many it removed.
func DeletePrefix(ctx context.Context, s Store, prefix string) (int, error) {
	var keys []string
	if err := s.List(ctx, prefix, func(i Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("list %q: %w", prefix, err)
	}
	for n, k := range keys {
		if err := s.Delete(ctx, k); err != nil {
			return n, fmt.Errorf("delete %q: %w", k, err)
		}
	}
	return len(keys), nil
}

// CheckKey reports whether key follows the key rules (ErrInvalidKey if not).
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLength || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return fmt.Errorf("%q: %w", key, ErrInvalidKey)
	}
	return checkSegments(key)
}

// checkPrefix reports whether prefix may start keys: empty, or segments
// following the key rules, optionally ending with '/'.
func checkPrefix(prefix string) error {
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		if prefix != "" {
			return fmt.Errorf("prefix %q: %w", prefix, ErrInvalidKey)
		}
		return nil
	}
	if strings.HasPrefix(p, "/") || len(p) > MaxKeyLength {
		return fmt.Errorf("prefix %q: %w", prefix, ErrInvalidKey)
	}
	return checkSegments(p)
}

func checkSegments(s string) error {
	for _, seg := range strings.Split(s, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%q: %w", s, ErrInvalidKey)
		}
		for _, r := range seg {
			ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
			if !ok {
				return fmt.Errorf("%q: %w", s, ErrInvalidKey)
			}
		}
	}
	return nil
}
