package item

import (
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

// importStore is the SQL of imports, their stored files and reports.
type importStore struct{}

const importColumns = `i.id, i.collection_id, i.created_by, i.status, i.format, i.on_duplicate, i.size_bytes,
	i.bytes_done, i.position, i.total, i.created, i.updated, i.skipped, i.failed, i.failure,
	i.created_at, i.started_at, i.finished_at`

func scanImport(row pgx.Row, extra ...any) (Import, error) {
	var i Import
	dest := append([]any{&i.ID, &i.CollectionID, &i.CreatedBy, &i.Status, &i.Format, &i.OnDuplicate, &i.SizeBytes,
		&i.BytesDone, &i.Position, &i.Total, &i.Created, &i.Updated, &i.Skipped, &i.Failed, &i.Failure,
		&i.CreatedAt, &i.StartedAt, &i.FinishedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Import{}, importNotFound
		}
		return Import{}, err
	}
	i.CreatedAt = i.CreatedAt.UTC()
	for _, t := range []**time.Time{&i.StartedAt, &i.FinishedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return i, nil
}

const insertImportSQL = `
INSERT INTO imports (id, collection_id, created_by, status, format, on_duplicate, size_bytes, created_at)
VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`

func (importStore) insert(ctx context.Context, q db.Querier, i Import) error {
	if _, err := q.Exec(ctx, insertImportSQL, i.ID, i.CollectionID, i.CreatedBy, i.Status, i.Format, i.OnDuplicate, i.CreatedAt); err != nil {
		return fmt.Errorf("insert import: %w", err)
	}
	return nil
}

const (
	insertChunkSQL = `INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`
	setSizeSQL     = `UPDATE imports SET size_bytes = $2 WHERE id = $1`
)

// storeFile copies r into the import's chunks, one chunk in memory at a
// time, refusing more than max bytes (atlas.ErrTooLarge).
func (importStore) storeFile(ctx context.Context, q db.Querier, id uuid.UUID, r io.Reader, max int64) (int64, error) {
	buf := make([]byte, importChunkBytes)
	var size int64
	for seq := 0; ; seq++ {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			size += int64(k)
			if size > max {
				return 0, atlas.Errorf(atlas.ErrTooLarge, "the file is larger than %d bytes", max)
			}
			if _, err := q.Exec(ctx, insertChunkSQL, id, seq, buf[:k]); err != nil {
				return 0, fmt.Errorf("store import file: %w", err)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read upload: %w", err)
		}
	}
	if _, err := q.Exec(ctx, setSizeSQL, id, size); err != nil {
		return 0, fmt.Errorf("store import file: %w", err)
	}
	return size, nil
}

const chunkSQL = `SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2`

// chunkReader streams an import's stored file, reading one chunk from the
// database at a time.
type chunkReader struct {
	ctx  context.Context
	q    db.Querier
	id   uuid.UUID
	seq  int
	buf  []byte
	read int64
	eof  bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.eof {
			return 0, io.EOF
		}
		err := c.q.QueryRow(c.ctx, chunkSQL, c.id, c.seq).Scan(&c.buf)
		if errors.Is(err, pgx.ErrNoRows) {
			c.eof = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read import chunk %d: %w", c.seq, err)
		}
		c.seq++
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	c.read += int64(k)
	return k, nil
}

// getImportForUserSQL reads an import with the caller's role in its
// collection (collection.RoleSQL: NULL for a non-member).
var getImportForUserSQL = `
SELECT ` + importColumns + `, ` + collection.RoleSQL("i.collection_id", "$2") + `
FROM imports i
WHERE i.id = $1`

func (importStore) getForUser(ctx context.Context, q db.Querier, id, userID uuid.UUID) (Import, *collection.Role, error) {
	var role *collection.Role
	i, err := scanImport(q.QueryRow(ctx, getImportForUserSQL, id, userID), &role)
	if err != nil {
		return Import{}, nil, fmt.Errorf("get import: %w", err)
	}
	return i, role, nil
}

const getImportSQL = `SELECT ` + importColumns + ` FROM imports i WHERE i.id = $1`

func (importStore) get(ctx context.Context, q db.Querier, id uuid.UUID, forUpdate bool) (Import, error) {
	sql := getImportSQL
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	i, err := scanImport(q.QueryRow(ctx, sql, id))
	if err != nil {
		return Import{}, fmt.Errorf("get import: %w", err)
	}
	return i, nil
}

const listImportsSQL = `
SELECT ` + importColumns + ` FROM imports i
WHERE i.collection_id = $1 AND (i.created_at, i.id) < ($2, $3)
ORDER BY i.created_at DESC, i.id DESC
LIMIT $4`

func (importStore) list(ctx context.Context, q db.Querier, collectionID uuid.UUID, after *cursor.Keyset, limit int) ([]Import, error) {
	at, id := cursor.Args(after, true)
	rows, err := q.Query(ctx, listImportsSQL, collectionID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Import, error) { return scanImport(r) })
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

const reportSQL = `
SELECT line, outcome, url, title, reason FROM import_entries
WHERE import_id = $1 ORDER BY position LIMIT $2`

func (importStore) report(ctx context.Context, q db.Querier, id uuid.UUID, limit int) ([]ImportEntry, error) {
	rows, err := q.Query(ctx, reportSQL, id, limit)
	if err != nil {
		return nil, fmt.Errorf("import report: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportEntry, error) {
		var e ImportEntry
		return e, r.Scan(&e.Line, &e.Outcome, &e.URL, &e.Title, &e.Reason)
	})
	if err != nil {
		return nil, fmt.Errorf("import report: %w", err)
	}
	return out, nil
}

const startImportSQL = `
UPDATE imports SET status = 'RUNNING', started_at = COALESCE(started_at, $2) WHERE id = $1`

func (importStore) start(ctx context.Context, q db.Querier, id uuid.UUID, at time.Time) error {
	if _, err := q.Exec(ctx, startImportSQL, id, at); err != nil {
		return fmt.Errorf("start import: %w", err)
	}
	return nil
}

// progress is what one batch adds to an import.
type progress struct {
	position                          int64
	bytesDone                         int64
	created, updated, skipped, failed int
	report                            []reportRow
}

type reportRow struct {
	position int64
	entry    ImportEntry
}

const progressSQL = `
UPDATE imports SET position = $2, bytes_done = GREATEST(bytes_done, $3), total = total + $4 + $5 + $6 + $7,
	created = created + $4, updated = updated + $5, skipped = skipped + $6, failed = failed + $7
WHERE id = $1`

const insertReportSQL = `
INSERT INTO import_entries (import_id, position, line, outcome, url, title, reason)
SELECT $1, r.* FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) AS r`

// queueProgress adds the statements recording a batch to b.
func (importStore) queueProgress(b *pgx.Batch, id uuid.UUID, p progress) {
	b.Queue(progressSQL, id, p.position, p.bytesDone, p.created, p.updated, p.skipped, p.failed)
	if len(p.report) == 0 {
		return
	}
	n := len(p.report)
	pos, lines := make([]int64, n), make([]int32, n)
	outcomes, urls, titles, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range p.report {
		pos[i], lines[i] = r.position, int32(r.entry.Line)
		outcomes[i], urls[i], titles[i], reasons[i] = r.entry.Outcome, r.entry.URL, r.entry.Title, r.entry.Reason
	}
	b.Queue(insertReportSQL, id, pos, lines, outcomes, urls, titles, reasons)
}

const (
	finishImportSQL = `
UPDATE imports SET status = $2, failure = $3, finished_at = $4, bytes_done = CASE WHEN $2 = 'SUCCEEDED' THEN size_bytes ELSE bytes_done END
WHERE id = $1`
	deleteChunksSQL = `DELETE FROM import_chunks WHERE import_id = $1`
)

// finish ends an import and drops its stored file.
func (importStore) finish(ctx context.Context, q db.Querier, id uuid.UUID, status ImportStatus, failure string, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(finishImportSQL, id, status, failure, at)
	b.Queue(deleteChunksSQL, id)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("finish import: %w", err)
	}
	return nil
}
