package main

import (
	"context"
	"log/slog"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/db"
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
	log.Info("migrations applied")
	return nil
}
