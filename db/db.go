package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier is what a store needs to run SQL: satisfied by *pgxpool.Pool and
// pgx.Tx, so a service can run several stores inside one transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Beginner starts transactions; satisfied by *pgxpool.Pool.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// PoolParams configures Open.
type PoolParams struct {
	URL      string
	MaxConns int32
	// Tracer, if set, observes every query (tests use it to count round trips).
	Tracer pgx.QueryTracer
}

// Open connects a pool and checks that the database answers.
func Open(ctx context.Context, p PoolParams) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(p.URL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if p.MaxConns > 0 {
		cfg.MaxConns = p.MaxConns
	}
	if p.Tracer != nil {
		cfg.ConnConfig.Tracer = p.Tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (including on panic).
func InTx(ctx context.Context, b Beginner, fn func(tx pgx.Tx) error) (err error) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// optionally of the named constraint (empty matches any).
func IsUniqueViolation(err error, constraint string) bool {
	return isCode(err, pgerrcode.UniqueViolation, constraint)
}

// IsForeignKeyViolation reports whether err is a foreign-key violation,
// optionally of the named constraint.
func IsForeignKeyViolation(err error, constraint string) bool {
	return isCode(err, pgerrcode.ForeignKeyViolation, constraint)
}

// IsCheckViolation reports whether err is a CHECK-constraint violation,
// optionally of the named constraint.
func IsCheckViolation(err error, constraint string) bool {
	return isCode(err, pgerrcode.CheckViolation, constraint)
}

// IsUnstorableText reports whether Postgres refused a text value it cannot
// store (a NUL character): invalid input, not a server fault.
func IsUnstorableText(err error) bool {
	return isCode(err, pgerrcode.CharacterNotInRepertoire, "")
}

func isCode(err error, code, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// IsUnavailable reports whether err means the database could not be reached
// or went away mid-request, rather than refusing the request: a failed
// connect, a connection lost (SQLSTATE class 08), the server shutting down
// or restarting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
// cannot_connect_now), or a deadline that expired while waiting for a
// connection from the pool. The API answers these with 503 and Retry-After.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	// A connection that broke under a statement (server gone, TCP reset).
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
