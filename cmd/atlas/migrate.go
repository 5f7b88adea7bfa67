package main

import (
	"context"
	"log/slog"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/item"
)

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, _ []string) error {
	pool, err := openToolPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, log); err != nil {
		return err
	}
	n, err := item.BackfillLinkKeys(ctx, pool)
	if err != nil {
		return err
	}
	log.Info("migrations applied", slog.Int("link_keys_backfilled", n))
	return nil
}
