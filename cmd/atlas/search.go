package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas/app/params"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/search"
)

const searchUsage = `usage: atlas search reindex [--force]

  reindex   load every item from Postgres into a new versioned index and
            swap the alias to it; searches keep working throughout, and
            writes made meanwhile reach the new index too
  --force   first delete what a crashed reindex left behind (only when no
            other reindex is running)`

// searchTool runs the search subcommands.
func searchTool(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "reindex" {
		return errors.New(searchUsage)
	}
	fs := flag.NewFlagSet("atlas search reindex", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	force := fs.Bool("force", false, "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errors.New(searchUsage)
	}
	tools, err := openSearchTools(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tools.Close()
	index, syncer := tools.index, tools.syncer
	if err := index.Ready(ctx); err != nil {
		return err
	}
	if *force {
		dropped, err := index.AbandonRebuilds(ctx)
		if err != nil {
			return err
		}
		if len(dropped) > 0 {
			log.Warn("deleted indices left by an earlier reindex", slog.Any("indices", dropped))
		}
	}
	start := time.Now()
	n, err := syncer.Rebuild(ctx)
	if errors.Is(err, search.ErrRebuildRunning) {
		return fmt.Errorf("%w; if none is (it crashed), run `atlas search reindex --force`", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "reindexed %d items into %s in %s\n", n, index.Alias(), time.Since(start).Round(time.Millisecond))
	return nil
}

// toolSyncer builds a one-shot tool's search index (its caller closes it)
// and a Syncer writing through it.
func toolSyncer(cfg config.Config, log *slog.Logger, pool *pgxpool.Pool) (*search.Syncer, *search.Index, error) {
	index, err := params.NewSearchIndex(cfg)
	if err != nil {
		return nil, nil, err
	}
	syncer, err := search.NewSyncer(search.SyncerParams{DB: pool, Index: index, Logger: log})
	if err != nil {
		index.Close()
		return nil, nil, err
	}
	return syncer, index, nil
}

// searchTools is what the tools that work on the search index (search
// reindex, reconcile) open: the tool's pool, the index and a Syncer.
type searchTools struct {
	pool   *pgxpool.Pool
	index  *search.Index
	syncer *search.Syncer
}

// openSearchTools opens a tool's pool, index and Syncer; Close closes them.
func openSearchTools(ctx context.Context, cfg config.Config, log *slog.Logger) (*searchTools, error) {
	pool, err := openToolPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	syncer, index, err := toolSyncer(cfg, log, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &searchTools{pool: pool, index: index, syncer: syncer}, nil
}

// Close closes the index, then the pool.
func (t *searchTools) Close() {
	t.index.Close()
	t.pool.Close()
}
