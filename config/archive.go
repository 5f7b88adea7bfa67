package config

import (
	"fmt"
	"time"
)

// Archive configures the archived copies of pages (package archive):
// archiving is on when one store is set, a directory or a GCS bucket.
type Archive struct {
	// ArchiveDir keeps copies in this directory (the default of
	// scripts/dev; a PersistentVolume in a cluster).
	ArchiveDir string `env:"ATLAS_ARCHIVE_DIR" json:"archive_dir"`
	// ArchiveGCSBucket keeps copies in this Google Cloud Storage bucket,
	// reached with the workload's credentials (or STORAGE_EMULATOR_HOST).
	ArchiveGCSBucket string `env:"ATLAS_ARCHIVE_GCS_BUCKET" json:"archive_gcs_bucket"`
	// ArchiveMaxBytesPerItem caps what one page and its resources may
	// download and what its copies may take.
	ArchiveMaxBytesPerItem int64 `env:"ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM" envDefault:"20971520" json:"archive_max_bytes_per_item"`
	// ArchiveMaxResourceBytes caps the page and each of its resources.
	ArchiveMaxResourceBytes int64 `env:"ATLAS_ARCHIVE_MAX_RESOURCE_BYTES" envDefault:"5242880" json:"archive_max_resource_bytes"`
	// ArchiveTimeout bounds one capture, every download included.
	ArchiveTimeout time.Duration `env:"ATLAS_ARCHIVE_TIMEOUT" envDefault:"60s" json:"archive_timeout"`
	// PreviewImages makes thumbnails of each page's preview image and site
	// icon (FETCH_IMAGES), kept in the archive's store: on by default
	// whenever an archive store is set.
	PreviewImages bool `env:"ATLAS_PREVIEW_IMAGES" envDefault:"true" json:"preview_images"`
	// PreviewMaxBytes caps an image file FETCH_IMAGES downloads.
	PreviewMaxBytes int64 `env:"ATLAS_PREVIEW_MAX_BYTES" envDefault:"5242880" json:"preview_max_bytes"`
	// PreviewMaxPixels caps an image's width × height, read from its
	// header before decoding (decompression bombs).
	PreviewMaxPixels int64 `env:"ATLAS_PREVIEW_MAX_PIXELS" envDefault:"24000000" json:"preview_max_pixels"`
}

// PreviewImagesOn reports whether FETCH_IMAGES runs: an archive store is
// set and ATLAS_PREVIEW_IMAGES is not false.
func (a Archive) PreviewImagesOn() bool { return a.ArchiveEnabled() && a.PreviewImages }

// ArchiveEnabled reports whether a store for archived copies is set.
func (a Archive) ArchiveEnabled() bool { return a.ArchiveDir != "" || a.ArchiveGCSBucket != "" }

// validateArchive checks the archive settings.
func (c *Config) validateArchive() error {
	if c.ArchiveDir != "" && c.ArchiveGCSBucket != "" {
		return fmt.Errorf("ATLAS_ARCHIVE_DIR and ATLAS_ARCHIVE_GCS_BUCKET are both set; set only one")
	}
	if c.ArchiveMaxBytesPerItem < 64<<10 || c.ArchiveMaxBytesPerItem > 1<<30 {
		return fmt.Errorf("ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM: must be between 65536 and 1073741824, got %d", c.ArchiveMaxBytesPerItem)
	}
	if c.ArchiveMaxResourceBytes < 16<<10 || c.ArchiveMaxResourceBytes > c.ArchiveMaxBytesPerItem {
		return fmt.Errorf("ATLAS_ARCHIVE_MAX_RESOURCE_BYTES: must be between 16384 and ATLAS_ARCHIVE_MAX_BYTES_PER_ITEM (%d), got %d",
			c.ArchiveMaxBytesPerItem, c.ArchiveMaxResourceBytes)
	}
	if c.ArchiveTimeout < time.Second || c.ArchiveTimeout > 10*time.Minute {
		return fmt.Errorf("ATLAS_ARCHIVE_TIMEOUT: must be between 1s and 10m, got %s", c.ArchiveTimeout)
	}
	if c.PreviewMaxBytes < 16<<10 || c.PreviewMaxBytes > 64<<20 {
		return fmt.Errorf("ATLAS_PREVIEW_MAX_BYTES: must be between 16384 and 67108864, got %d", c.PreviewMaxBytes)
	}
	if c.PreviewMaxPixels < 1<<16 || c.PreviewMaxPixels > 100_000_000 {
		return fmt.Errorf("ATLAS_PREVIEW_MAX_PIXELS: must be between 65536 and 100000000, got %d", c.PreviewMaxPixels)
	}
	return nil
}
