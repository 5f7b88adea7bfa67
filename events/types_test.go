package events_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
)

// typeNames returns events.Types() as strings.
func typeNames() []string {
	var names []string
	for _, t := range events.Types() {
		names = append(names, string(t))
	}
	return names
}

// TestTypes_ListsEveryDeclaredConstant keeps Types() the complete list: every
// constant of type Type declared in envelope.go is in it, once.
func TestTypes_ListsEveryDeclaredConstant(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "envelope.go", nil, 0)
	require.NoError(t, err)
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Type" {
				for _, n := range vs.Names {
					declared = append(declared, n.Name)
				}
			}
		}
	}
	require.NotEmpty(t, declared, "no Type constants found in envelope.go")
	// Every constant's name is its value (ItemCreated = "ItemCreated").
	assert.ElementsMatch(t, declared, typeNames())
}

// TestTypes_MatchTheEnvelopeSchema fails when events/schema/envelope.v1.json
// lists other event or entity types than the Go code.
func TestTypes_MatchTheEnvelopeSchema(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties struct {
			Type   struct{ Enum []string } `json:"type"`
			Entity struct {
				Properties struct {
					Type struct{ Enum []string } `json:"type"`
				} `json:"properties"`
			} `json:"entity"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(events.EnvelopeSchema(), &schema))
	assert.Equal(t, typeNames(), schema.Properties.Type.Enum, "envelope schema's type enum")
	assert.Equal(t, events.EntityTypes(), schema.Properties.Entity.Properties.Type.Enum, "envelope schema's entity.type enum")
}

// TestTypes_MatchTheAuditTrailsCheckConstraints fails when the migrated
// database's CHECK constraints on audit_events accept other event or entity
// types than the Go code (a new type needs a migration that widens them).
func TestTypes_MatchTheAuditTrailsCheckConstraints(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	literal := regexp.MustCompile(`'([^']*)'::text`)
	allowed := func(constraint string) []string {
		var def string
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT pg_get_constraintdef(oid) FROM pg_constraint
			  WHERE conrelid = 'audit_events'::regclass AND conname = $1`, constraint).Scan(&def), constraint)
		var vals []string
		for _, m := range literal.FindAllStringSubmatch(def, -1) {
			vals = append(vals, m[1])
		}
		require.NotEmpty(t, vals, "%s lists no values: %s", constraint, def)
		return vals
	}
	assert.ElementsMatch(t, typeNames(), allowed("audit_events_type_check"), "audit_events_type_check")
	assert.ElementsMatch(t, events.EntityTypes(), allowed("audit_events_entity_type_check"), "audit_events_entity_type_check")
}
