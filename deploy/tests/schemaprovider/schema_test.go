package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestParseType_CtyJSONNotation(t *testing.T) {
	for _, tc := range []struct {
		json string
		want tftypes.Type
	}{
		{`"string"`, tftypes.String},
		{`"dynamic"`, tftypes.DynamicPseudoType},
		{`["list","number"]`, tftypes.List{ElementType: tftypes.Number}},
		{`["set",["map","bool"]]`, tftypes.Set{ElementType: tftypes.Map{ElementType: tftypes.Bool}}},
		{`["tuple",["string","number"]]`, tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Number}}},
		{`["object",{"a":"string","b":["list","string"]},["b"]]`, tftypes.Object{
			AttributeTypes:     map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.List{ElementType: tftypes.String}},
			OptionalAttributes: map[string]struct{}{"b": {}}}},
	} {
		got, err := parseType(json.RawMessage(tc.json))
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		if !got.Equal(tc.want) {
			t.Errorf("%s: got %s, want %s", tc.json, got, tc.want)
		}
	}
	for _, bad := range []string{`"int"`, `["list"]`, `["vector","string"]`, `{}`} {
		if _, err := parseType(json.RawMessage(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestToSchema_NestedAttributesAndBlocks(t *testing.T) {
	var s jsonSchema
	err := json.Unmarshal([]byte(`{"version": 2, "block": {
		"attributes": {
			"name": {"type": "string", "required": true},
			"id": {"type": "string", "computed": true},
			"hot": {"nested_type": {"nesting_mode": "single", "attributes": {
				"size": {"type": "string", "optional": true}}}, "optional": true}
		},
		"block_types": {
			"rule": {"nesting_mode": "set", "min_items": 1, "block": {
				"attributes": {"source": {"type": "string", "optional": true}}}}
		}}}`), &s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := toSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || len(got.Block.Attributes) != 3 || len(got.Block.BlockTypes) != 1 {
		t.Fatalf("schema %+v", got.Block)
	}
	hot := got.Block.Attributes[0] // sorted: hot, id, name
	if hot.Name != "hot" || hot.NestedType == nil || hot.NestedType.Nesting != tfprotov6.SchemaObjectNestingModeSingle ||
		hot.NestedType.Attributes[0].Name != "size" || !hot.NestedType.Attributes[0].Optional {
		t.Errorf("nested attribute %+v", hot)
	}
	if name := got.Block.Attributes[2]; name.Name != "name" || !name.Required || !name.Type.Equal(tftypes.String) {
		t.Errorf("attribute %+v", name)
	}
	rule := got.Block.BlockTypes[0]
	if rule.TypeName != "rule" || rule.Nesting != tfprotov6.SchemaNestedBlockNestingModeSet || rule.MinItems != 1 {
		t.Errorf("block %+v", rule)
	}
}

// The committed schemas (deploy/tests/providers) are all the provider serves:
// each must convert.
func TestLoad_CommittedSchemas(t *testing.T) {
	files, _ := filepath.Glob("../providers/*.json")
	if len(files) == 0 {
		t.Fatal("no schema in deploy/tests/providers")
	}
	for _, f := range files {
		s, err := load(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.schema.ResourceSchemas) == 0 {
			t.Errorf("%s: no resource", f)
		}
	}
}
