package item

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
)

// Format is an import or export file format.
type Format string

// The formats Atlas reads and writes.
const (
	// FormatNetscape is the Netscape bookmark file (NETSCAPE-Bookmark-file-1)
	// that every browser and bookmarking service exports.
	FormatNetscape Format = "netscape"
	// FormatJSON is Atlas' own export, which keeps every field of an item.
	FormatJSON Format = "json"
)

// OnDuplicate says what an import does with a bookmark whose URL is already
// in the collection (or earlier in the same file).
type OnDuplicate string

// The duplicate policies.
const (
	// DuplicateSkip leaves the existing item alone (the default).
	DuplicateSkip OnDuplicate = "skip"
	// DuplicateUpdate overwrites the existing item's title, description,
	// notes and tags with the file's.
	DuplicateUpdate OnDuplicate = "update"
)

// ImportStatus is where an import is.
type ImportStatus string

// The import statuses. An import never fails because of its file's
// contents (bad entries are reported one by one); FAILED means it could
// not run to the end (the importer lost write access, or the job ran out of
// attempts).
const (
	ImportQueued    ImportStatus = "QUEUED"
	ImportRunning   ImportStatus = "RUNNING"
	ImportSucceeded ImportStatus = "SUCCEEDED"
	ImportFailed    ImportStatus = "FAILED"
)

// Outcomes of an import entry that did not become an item.
const (
	OutcomeSkipped = "skipped"
	OutcomeFailed  = "failed"
)

// DefaultImportMaxBytes caps an uploaded import file when ServiceParams
// leaves ImportMaxBytes zero.
const DefaultImportMaxBytes = 50 << 20

// MaxImportReport is how many report lines GetImport returns.
const MaxImportReport = 1000

// importChunkBytes is the size of the pieces an upload is stored in.
const importChunkBytes = 1 << 20

// Import is one upload of a bookmark file into a collection and what its
// IMPORT_BOOKMARKS job made of it.
type Import struct {
	ID           uuid.UUID
	CollectionID uuid.UUID
	CreatedBy    *uuid.UUID
	Status       ImportStatus
	Format       Format
	OnDuplicate  OnDuplicate
	// SizeBytes is the file's size; BytesDone how much of it the job has
	// read (progress).
	SizeBytes int64
	BytesDone int64
	// Position is how many entries of the file are done.
	Position int64
	// Total counts the entries seen so far (all of them once finished):
	// Created + Updated + Skipped + Failed.
	Total   int
	Created int
	Updated int
	Skipped int
	Failed  int
	// Failure says why a FAILED import stopped.
	Failure    string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	// Report lists the entries that were skipped or failed, in file order
	// (the first MaxImportReport; filled by GetImport only).
	Report []ImportEntry
}

// Finished reports whether the import's job has ended.
func (i Import) Finished() bool { return i.Status == ImportSucceeded || i.Status == ImportFailed }

// ImportEntry is one line of an import's report: an entry of the file that
// did not become (or change) an item, and why.
type ImportEntry struct {
	Line    int
	Outcome string
	URL     string
	Title   string
	Reason  string
}

// OnImportQueuedFunc runs in the transaction that stores an upload: the
// jobs package adds the IMPORT_BOOKMARKS job there, so the job exists if and
// only if the import does.
type OnImportQueuedFunc func(ctx context.Context, tx pgx.Tx, imp Import) error

// OnImportFunc runs in the transaction of each batch of an import with the
// items the batch created: the jobs package queues their enrichment at low
// priority.
type OnImportFunc func(ctx context.Context, tx pgx.Tx, created []Item) error

// CreateImportParams describes an upload.
type CreateImportParams struct {
	// File is the uploaded file, read once, to its end or past the cap.
	File io.Reader
	// OnDuplicate is "skip" (also when empty) or "update".
	OnDuplicate OnDuplicate
}

// CreateImport stores an uploaded bookmark file for a collection (owners
// and editors) and queues its IMPORT_BOOKMARKS job, in one transaction. The
// format is detected from the file. A file over the size cap is
// atlas.ErrTooLarge; one in no known format atlas.ErrInvalid.
func (s *Service) CreateImport(ctx context.Context, actor, collectionID uuid.UUID, p CreateImportParams) (Import, error) {
	if p.OnDuplicate == "" {
		p.OnDuplicate = DuplicateSkip
	}
	if p.OnDuplicate != DuplicateSkip && p.OnDuplicate != DuplicateUpdate {
		return Import{}, atlas.Invalid("on_duplicate", "must be skip or update")
	}
	imp := Import{ID: uuid.Must(uuid.NewV7()), CollectionID: collectionID, CreatedBy: &actor, Status: ImportQueued,
		OnDuplicate: p.OnDuplicate, CreatedAt: s.nowUTC()}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Authorise before reading a byte of the upload.
		if _, err := s.collections.Authorize(ctx, tx, actor, collectionID, collection.ActionWriteItems); err != nil {
			return err
		}
		file := bufio.NewReaderSize(p.File, 64<<10)
		head, err := file.Peek(4096)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("read upload: %w", err)
		}
		format, ok := sniffFormat(head)
		if !ok {
			if len(head) == 0 {
				return atlas.Invalid("file", "the file is empty")
			}
			return atlas.Invalid("file", "the file is neither a Netscape bookmark file (HTML) nor an Atlas JSON export")
		}
		imp.Format = format
		if err := s.imports.insert(ctx, tx, imp); err != nil {
			return err
		}
		if imp.SizeBytes, err = s.imports.storeFile(ctx, tx, imp.ID, file, s.importMax); err != nil {
			return err
		}
		for _, hook := range s.onImportQueued {
			if err := hook(ctx, tx, imp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Import{}, fmt.Errorf("create import: %w", err)
	}
	return imp, nil
}

// importNotFound answers for an import that does not exist.
var importNotFound = atlas.Errorf(atlas.ErrNotFound, "import not found")

// GetImport returns an import with its report to a member of its
// collection.
func (s *Service) GetImport(ctx context.Context, actor, id uuid.UUID) (Import, error) {
	imp, role, err := s.imports.getForUser(ctx, s.pool, id, actor)
	if err != nil {
		return Import{}, err
	}
	if _, err := collection.AuthorizeChild(collection.ChildImport, role, collection.ActionRead); err != nil {
		return Import{}, err
	}
	if imp.Report, err = s.imports.report(ctx, s.pool, id, MaxImportReport); err != nil {
		return Import{}, err
	}
	return imp, nil
}

// ListImports returns a collection's imports, newest first (members).
func (s *Service) ListImports(ctx context.Context, actor, collectionID uuid.UUID, page cursor.Page) ([]Import, string, error) {
	if _, err := s.collections.Authorize(ctx, s.pool, actor, collectionID, collection.ActionRead); err != nil {
		return nil, "", fmt.Errorf("list imports: %w", err)
	}
	return cursor.KeysetPage(s.cursor, "imports:"+collectionID.String(), page,
		func(after *cursor.Keyset, limit int) ([]Import, error) {
			return s.imports.list(ctx, s.pool, collectionID, after, limit)
		},
		func(i Import) cursor.Keyset { return cursor.Keyset{At: i.CreatedAt, ID: i.ID} })
}
