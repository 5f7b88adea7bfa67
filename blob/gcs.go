package blob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
)

// GCS is a Store in a Google Cloud Storage bucket: a blob is an object named
// by its key. Credentials are the process's Application Default Credentials
// (Workload Identity on GKE); with STORAGE_EMULATOR_HOST set, the official
// client talks to that emulator instead, without credentials.
type GCS struct {
	client *storage.Client
	bucket *storage.BucketHandle
}

// NewGCS returns a Store in bucket. Close it to release the client.
func NewGCS(ctx context.Context, bucket string) (*GCS, error) {
	if bucket == "" {
		return nil, errors.New("blob: empty bucket name")
	}
	c, err := storage.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("blob: storage client: %w", err)
	}
	return &GCS{client: c, bucket: c.Bucket(bucket)}, nil
}

// Close releases the client.
func (g *GCS) Close() error { return g.client.Close() }

// Put implements Store. An object upload is atomic in GCS: it exists whole
// once Close succeeds, and not at all if it fails.
func (g *GCS) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // cancelling before Close abandons a failed upload
	w := g.bucket.Object(key).NewWriter(ctx)
	w.ContentType = contentType
	w.ChunkSize = 0 // one request: copies are bounded by the per-item limit
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	return nil
}

// Get implements Store.
func (g *GCS) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := CheckKey(key); err != nil {
		return nil, Info{}, err
	}
	r, err := g.bucket.Object(key).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil, Info{}, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: get %q: %w", key, err)
	}
	return r, Info{Key: key, Size: r.Attrs.Size}, nil
}

// Delete implements Store.
func (g *GCS) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	err := g.bucket.Object(key).Delete(ctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	return nil
}

// List implements Store.
func (g *GCS) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	q := &storage.Query{Prefix: prefix}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated"}); err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	it := g.bucket.Objects(ctx, q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob: list %q: %w", prefix, err)
		}
		if CheckKey(a.Name) != nil {
			continue // not written by Atlas
		}
		if err := fn(Info{Key: a.Name, Size: a.Size, Modified: a.Updated}); err != nil {
			return err
		}
	}
}

var _ Store = (*GCS)(nil)
