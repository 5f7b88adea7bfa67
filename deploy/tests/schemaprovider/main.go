// Command schemaprovider is a Terraform/OpenTofu provider that knows only a
// provider's schema: it serves a schema committed in deploy/tests/providers
// (what `tofu providers schema -json` printed for the real provider, trimmed
// to the types Atlas uses) and accepts every configuration that schema
// accepts. scripts/deploy check installs it as hashicorp/google and
// elastic/ec so that `tofu validate` checks Atlas' Terraform offline against
// the real providers' arguments, blocks, attributes and types, which CI
// cannot download the providers to do.
//
// The schema is read from schema.json beside the path the binary was started
// by (its provider package directory), or from SCHEMA_PROVIDER_FILE.
// It cannot plan or apply anything.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// schemaFile is one committed file of deploy/tests/providers.
type schemaFile struct {
	Source  string          `json:"source"`
	Version string          `json:"version"`
	Schema  providerSchemas `json:"schema"`
}

func main() {
	path := os.Getenv("SCHEMA_PROVIDER_FILE")
	if path == "" {
		path = filepath.Join(filepath.Dir(os.Args[0]), "schema.json")
	}
	s, err := load(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemaprovider: %v\n", err)
		os.Exit(1)
	}
	name := "registry.opentofu.org/" + s.source
	if err := tf6server.Serve(name, func() tfprotov6.ProviderServer { return s }); err != nil {
		fmt.Fprintf(os.Stderr, "schemaprovider: %v\n", err)
		os.Exit(1)
	}
}

func load(path string) (*server, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var f schemaFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if !strings.Contains(f.Source, "/") {
		return nil, fmt.Errorf("%s: source %q is not NAMESPACE/TYPE", path, f.Source)
	}
	resp, err := toResponse(f.Schema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &server{source: f.Source, schema: resp}, nil
}

// toResponse converts a provider's whole schema.
func toResponse(p providerSchemas) (*tfprotov6.GetProviderSchemaResponse, error) {
	provider, err := toSchema(p.Provider)
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	resp := &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities:       &tfprotov6.ServerCapabilities{},
		Provider:                 provider,
		ResourceSchemas:          map[string]*tfprotov6.Schema{},
		DataSourceSchemas:        map[string]*tfprotov6.Schema{},
		Functions:                map[string]*tfprotov6.Function{},
		EphemeralResourceSchemas: map[string]*tfprotov6.Schema{},
	}
	for name, s := range p.ResourceSchemas {
		if resp.ResourceSchemas[name], err = toSchema(s); err != nil {
			return nil, fmt.Errorf("resource %s: %w", name, err)
		}
	}
	for name, s := range p.DataSourceSchemas {
		if resp.DataSourceSchemas[name], err = toSchema(s); err != nil {
			return nil, fmt.Errorf("data source %s: %w", name, err)
		}
	}
	return resp, nil
}
