package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/config"
)

func printConfig(_ context.Context, cfg config.Config, _ *slog.Logger, _ []string) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(cfg)
}

// printOpenAPI writes the OpenAPI document without touching any service,
// so the web app's API types can be generated offline.
func printOpenAPI(_ context.Context, _ config.Config, _ *slog.Logger, _ []string) error {
	srv := api.NewServer(api.Params{Version: version})
	b, err := json.MarshalIndent(srv.API().OpenAPI(), "", "  ")
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(b, '\n'))
	return err
}
