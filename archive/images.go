package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/blob"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/preview"
)

// ImageKinds are the thumbnails an item may have, in the order
// FETCH_IMAGES makes them.
var ImageKinds = []preview.Kind{preview.KindPreview, preview.KindIcon}

// ImagesOn reports whether the service makes preview images and icons.
func (s *Service) ImagesOn() bool { return s.images != nil }

// ImageOutcome is what StoreImages did for one kind.
type ImageOutcome struct {
	Kind preview.Kind `json:"kind"`
	// Outcome is stored (a new thumbnail), kept (made from the same URL
	// before), none (the page names no such image), removed (the page no
	// longer names the stored one's URL) or failed.
	Outcome string `json:"outcome"`
	// Code and Reason say why it failed.
	Code   preview.Code `json:"code,omitempty"`
	Reason string       `json:"reason,omitempty"`
	// Bytes is the size of a stored thumbnail.
	Bytes int64 `json:"bytes,omitempty"`
}

// imageURLs are the image URLs enrichment stored in an item's metadata
// (metadata_json's image_url and favicon_url).
type imageURLs struct {
	ImageURL   string `json:"image_url"`
	FaviconURL string `json:"favicon_url"`
}

func (u imageURLs) of(k preview.Kind) string {
	if k == preview.KindIcon {
		return u.FaviconURL
	}
	return u.ImageURL
}

// StoreImages makes and stores the thumbnails of the preview image and the
// site icon that an item's metadata names, for the FETCH_IMAGES job. An
// image is fetched once per URL: a thumbnail made from the same URL is
// kept. A thumbnail whose URL the page no longer names, or whose new URL
// was refused, is removed, so an item shows its page's current images or
// none. A refused image is an outcome (failed, with its reason), not an
// error; a transient failure is returned as a *preview.Failure after the
// other kind was done, for the job to retry.
func (s *Service) StoreImages(ctx context.Context, it item.Item) ([]ImageOutcome, error) {
	if s.images == nil {
		return nil, nil
	}
	var urls imageURLs
	if len(it.Metadata) > 0 {
		if err := json.Unmarshal(it.Metadata, &urls); err != nil {
			return nil, fmt.Errorf("item images %s: read metadata: %w", it.ID, err)
		}
	}
	stored, err := s.store.images(ctx, s.pool, it.ID)
	if err != nil {
		return nil, err
	}
	var out []ImageOutcome
	var transient error
	for _, k := range ImageKinds {
		u, old := urls.of(k), stored[k]
		switch {
		case u == "" && old.BlobKey == "":
			out = append(out, ImageOutcome{Kind: k, Outcome: "none"})
			continue
		case u == "":
			out = append(out, ImageOutcome{Kind: k, Outcome: "removed"})
			if err := s.dropImage(ctx, it.ID, k); err != nil {
				return out, err
			}
			continue
		case u == old.SourceURL:
			out = append(out, ImageOutcome{Kind: k, Outcome: "kept"})
			continue
		}
		img, err := s.images.Make(ctx, u, k)
		var f *preview.Failure
		if errors.As(err, &f) {
			if f.Transient {
				transient = f
				continue
			}
			out = append(out, ImageOutcome{Kind: k, Outcome: "failed", Code: f.Code, Reason: f.Reason})
			if old.BlobKey != "" {
				if err := s.dropImage(ctx, it.ID, k); err != nil {
					return out, err
				}
			}
			continue
		}
		if err != nil {
			return out, fmt.Errorf("item images %s: %w", it.ID, err)
		}
		m, err := s.putImage(ctx, it, k, u, img)
		if err != nil {
			return out, err
		}
		out = append(out, ImageOutcome{Kind: k, Outcome: "stored", Bytes: m.Size})
	}
	return out, transient
}

// putImage writes a thumbnail's blob under a key that carries its hash,
// then records it, then removes the blob the row named before.
func (s *Service) putImage(ctx context.Context, it item.Item, k preview.Kind, sourceURL string, img preview.Image) (StoredImage, error) {
	sum := sha256.Sum256(img.Data)
	ext := ".jpg"
	if img.ContentType == "image/png" {
		ext = ".png"
	}
	m := StoredImage{Kind: k, SourceURL: sourceURL, ContentType: img.ContentType, Size: int64(len(img.Data)),
		Width: img.Width, Height: img.Height, SHA256: sum[:], CreatedAt: s.now().UTC(),
		BlobKey: itemPrefix(it.CollectionID, it.ID) + "image-" + string(k) + "-" + hex.EncodeToString(sum[:8]) + ext}
	if err := s.blobs.Put(ctx, m.BlobKey, img.Data, img.ContentType); err != nil {
		return StoredImage{}, fmt.Errorf("item images %s: %w", it.ID, err)
	}
	var old string
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		old, err = s.store.putImage(ctx, tx, it.ID, m)
		return err
	})
	if err != nil {
		s.removeBlobs(ctx, []string{m.BlobKey})
		return StoredImage{}, fmt.Errorf("item images %s: %w", it.ID, err)
	}
	if old != "" && old != m.BlobKey {
		s.removeBlobs(ctx, []string{old})
	}
	return m, nil
}

// dropImage removes an item's thumbnail of kind k, row then blob.
func (s *Service) dropImage(ctx context.Context, itemID uuid.UUID, k preview.Kind) error {
	key, err := s.store.deleteImage(ctx, s.pool, itemID, k)
	if errors.Is(err, atlas.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.removeBlobs(ctx, []string{key})
	return nil
}

// OpenImage returns an item's thumbnail of kind k to an actor who may read
// the item (atlas.ErrNotFound for anyone else, and when there is none).
// The caller closes the reader.
func (s *Service) OpenImage(ctx context.Context, actor, itemID uuid.UUID, k preview.Kind) (io.ReadCloser, StoredImage, error) {
	if _, err := item.Authorize(ctx, s.pool, actor, itemID, collection.ActionRead, false); err != nil {
		return nil, StoredImage{}, err
	}
	stored, err := s.store.images(ctx, s.pool, itemID)
	if err != nil {
		return nil, StoredImage{}, err
	}
	m, ok := stored[k]
	if !ok {
		return nil, StoredImage{}, atlas.Errorf(atlas.ErrNotFound, "the item has no %s image", k)
	}
	r, _, err := s.blobs.Get(ctx, m.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, StoredImage{}, fmt.Errorf("%s image of item %s is missing from the blob store: %w", k, itemID, atlas.ErrNotFound)
	}
	if err != nil {
		return nil, StoredImage{}, fmt.Errorf("open %s image: %w", k, err)
	}
	return r, m, nil
}
