package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/preview"
)

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool  *pgxpool.Pool
	Blobs blob.Store
	// Collections authorises Usage.
	Collections *collection.Service
	// Capture configures the captures of ArchiveItem (unused by processes
	// that only serve copies).
	Capture CaptureOpts
	// Images configures the preview images and site icons of
	// FETCH_IMAGES; nil leaves them off (ATLAS_PREVIEW_IMAGES=false).
	Images *preview.Opts
	Logger *slog.Logger
	// NowFunc is the clock (defaults to time.Now).
	NowFunc func() time.Time
}

// Service archives items' pages and serves their copies to the people who
// may read the items.
type Service struct {
	pool     *pgxpool.Pool
	blobs    blob.Store
	colls    *collection.Service
	capturer *Capturer
	images   *preview.Maker // nil: preview images are off
	log      *slog.Logger
	now      func() time.Time
	store    store
}

// NewService returns a Service.
func NewService(p ServiceParams) *Service {
	s := &Service{pool: p.Pool, blobs: p.Blobs, colls: p.Collections, capturer: NewCapturer(p.Capture), log: p.Logger, now: p.NowFunc}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if p.Images != nil {
		s.images = preview.NewMaker(*p.Images)
	}
	return s
}

// ArchiveItem captures the page behind an item's source_url and stores its
// copies, for the ARCHIVE_PAGE job. Either every copy of the capture is
// stored and recorded, or none is (see storeCopies). A failed capture
// records its reason on the item (earlier copies stay) and returns the
// *Failure; a transient one (network error) is returned without recording
// it, for the job to retry. A copy the browser extension sent for the same
// URL is preferred: it is kept and returned, and nothing is fetched.
func (s *Service) ArchiveItem(ctx context.Context, it item.Item) (Status, error) {
	if it.SourceURL == nil {
		return Status{}, atlas.Invalid("source_url", "the item has no source_url to archive")
	}
	if kept, ok, err := s.browserCopy(ctx, it); err != nil || ok {
		return kept, err
	}
	st := Status{ItemID: it.ID, CollectionID: it.CollectionID, SourceURL: *it.SourceURL, CapturedBy: CapturedByServer}
	capture, err := s.capturer.Capture(ctx, *it.SourceURL)
	st.AttemptedAt = s.now().UTC()
	var f *Failure
	if errors.As(err, &f) {
		if f.Transient {
			return Status{}, err
		}
		st.State, st.Code, st.Reason = StateFailed, f.Code, f.Reason
		applied, err := s.store.putStatus(ctx, s.pool, st)
		if err != nil {
			return Status{}, err
		}
		if !applied {
			return s.store.get(ctx, s.pool, it.ID)
		}
		return st, f
	}
	if err != nil {
		return Status{}, err
	}
	st.State, st.BlockedResources = StateArchived, capture.Blocked
	return s.storeCopies(ctx, it, st, capture.HTML, capture.Readable)
}

// browserCopy returns the item's archive when its copies came from the
// browser extension for the item's current source_url.
func (s *Service) browserCopy(ctx context.Context, it item.Item) (Status, bool, error) {
	st, err := s.store.get(ctx, s.pool, it.ID)
	if errors.Is(err, atlas.ErrNotFound) {
		return Status{}, false, nil
	}
	if err != nil {
		return Status{}, false, err
	}
	ok := st.CapturedBy == CapturedByBrowser && st.State == StateArchived && st.SourceURL == *it.SourceURL
	return st, ok, nil
}

// storeCopies stores the copies of a successful capture and records st.
// The blobs are written under new keys first, then the status and the
// copy rows are replaced in one transaction, then the blobs the old rows
// named are removed. A server capture that meets the browser's copy of the
// same URL in that transaction leaves it in place and returns it.
func (s *Service) storeCopies(ctx context.Context, it item.Item, st Status, page, readableHTML []byte) (Status, error) {
	copies := []Copy{s.newCopy(it, KindHTML, page, "text/html; charset=utf-8", st.AttemptedAt)}
	if readableHTML != nil {
		copies = append(copies, s.newCopy(it, KindReadable, readableHTML, "text/html; charset=utf-8", st.AttemptedAt))
	}
	data := map[Kind][]byte{KindHTML: page, KindReadable: readableHTML}
	for i, c := range copies {
		if err := s.blobs.Put(ctx, c.BlobKey, data[c.Kind], c.ContentType); err != nil {
			s.removeBlobs(ctx, keysOf(copies[:i]))
			return Status{}, fmt.Errorf("archive item %s: %w", it.ID, err)
		}
	}
	var old []string
	applied := true
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if applied, err = s.store.putStatus(ctx, tx, st); err != nil || !applied {
			return err
		}
		old, err = s.store.replaceCopies(ctx, tx, it.ID, copies)
		return err
	})
	if err != nil || !applied {
		s.removeUnnamed(ctx, keysOf(copies))
	}
	if err != nil {
		return Status{}, fmt.Errorf("archive item %s: %w", it.ID, err)
	}
	if !applied {
		return s.store.get(ctx, s.pool, it.ID)
	}
	s.removeBlobs(ctx, slices.DeleteFunc(old, func(k string) bool { return slices.Contains(keysOf(copies), k) }))
	st.Copies = copies
	return st, nil
}

// newCopy describes a copy; its key carries the content's hash, so a new
// capture never overwrites the blob an existing row names.
func (s *Service) newCopy(it item.Item, kind Kind, data []byte, contentType string, at time.Time) Copy {
	sum := sha256.Sum256(data)
	key := itemPrefix(it.CollectionID, it.ID) + string(kind) + "-" + hex.EncodeToString(sum[:8]) + ".html"
	return Copy{Kind: kind, BlobKey: key, ContentType: contentType, Size: int64(len(data)), SHA256: sum[:], CreatedAt: at}
}

func keysOf(copies []Copy) []string {
	out := make([]string, len(copies))
	for i, c := range copies {
		out[i] = c.BlobKey
	}
	return out
}

// removeUnnamed deletes those of keys that no copy row names (the blobs
// of a capture that was not recorded; one with the same content as a
// recorded copy has its key).
func (s *Service) removeUnnamed(ctx context.Context, keys []string) {
	named, err := s.store.known(context.WithoutCancel(ctx), s.pool, keys)
	if err != nil {
		s.log.WarnContext(ctx, "archive: could not check blobs to remove; reconcile will", slog.Any("error", err))
		return
	}
	s.removeBlobs(ctx, slices.DeleteFunc(keys, func(k string) bool { return named[k] }))
}

// removeBlobs deletes blobs nothing names any more; a failure leaves an
// orphan for `atlas reconcile`, so it is logged, not returned.
func (s *Service) removeBlobs(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), k); err != nil {
			s.log.WarnContext(ctx, "archive: could not delete a blob; reconcile will", slog.String("key", k), slog.Any("error", err))
		}
	}
}

// Get returns an item's archive status and copies to an actor who may read
// the item (atlas.ErrNotFound for anyone else). An item never archived has
// State StateNone.
func (s *Service) Get(ctx context.Context, actor, itemID uuid.UUID) (Status, error) {
	it, err := item.Authorize(ctx, s.pool, actor, itemID, collection.ActionRead, false)
	if err != nil {
		return Status{}, err
	}
	st, err := s.store.get(ctx, s.pool, itemID)
	if errors.Is(err, atlas.ErrNotFound) {
		return Status{ItemID: it.ID, CollectionID: it.CollectionID, State: StateNone}, nil
	}
	return st, err
}

// Open returns one copy of an item to an actor who may read the item
// (atlas.ErrNotFound for anyone else and for a copy that does not exist).
// The caller closes the reader.
func (s *Service) Open(ctx context.Context, actor, itemID uuid.UUID, kind Kind) (io.ReadCloser, Copy, error) {
	st, err := s.Get(ctx, actor, itemID)
	if err != nil {
		return nil, Copy{}, err
	}
	for _, c := range st.Copies {
		if c.Kind != kind {
			continue
		}
		r, _, err := s.blobs.Get(ctx, c.BlobKey)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, Copy{}, fmt.Errorf("archived copy %s of item %s is missing from the blob store: %w", kind, itemID, atlas.ErrNotFound)
		}
		if err != nil {
			return nil, Copy{}, fmt.Errorf("open archived copy: %w", err)
		}
		return r, c, nil
	}
	return nil, Copy{}, atlas.ErrNotFound
}

// Usage returns the bytes the archived copies of a collection's items take,
// to a member of the collection (atlas.ErrNotFound for anyone else).
func (s *Service) Usage(ctx context.Context, actor, collectionID uuid.UUID) (int64, error) {
	if _, err := s.colls.Authorize(ctx, s.pool, actor, collectionID, collection.ActionRead); err != nil {
		return 0, err
	}
	return s.store.usage(ctx, s.pool, collectionID)
}
