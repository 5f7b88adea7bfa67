package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// providerSchemas is one provider's entry of `tofu providers schema -json`
// (its provider_schemas map), trimmed or not.
type providerSchemas struct {
	Provider          jsonSchema            `json:"provider"`
	ResourceSchemas   map[string]jsonSchema `json:"resource_schemas"`
	DataSourceSchemas map[string]jsonSchema `json:"data_source_schemas"`
}

type jsonSchema struct {
	Version int64     `json:"version"`
	Block   jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes      map[string]jsonAttribute   `json:"attributes"`
	BlockTypes      map[string]jsonNestedBlock `json:"block_types"`
	Description     string                     `json:"description"`
	DescriptionKind string                     `json:"description_kind"`
	Deprecated      bool                       `json:"deprecated"`
}

type jsonAttribute struct {
	Type            json.RawMessage `json:"type"`
	NestedType      *jsonObject     `json:"nested_type"`
	Description     string          `json:"description"`
	DescriptionKind string          `json:"description_kind"`
	Required        bool            `json:"required"`
	Optional        bool            `json:"optional"`
	Computed        bool            `json:"computed"`
	Sensitive       bool            `json:"sensitive"`
	Deprecated      bool            `json:"deprecated"`
	WriteOnly       bool            `json:"write_only"`
}

type jsonObject struct {
	Attributes  map[string]jsonAttribute `json:"attributes"`
	NestingMode string                   `json:"nesting_mode"`
}

type jsonNestedBlock struct {
	NestingMode string    `json:"nesting_mode"`
	Block       jsonBlock `json:"block"`
	MinItems    int64     `json:"min_items"`
	MaxItems    int64     `json:"max_items"`
}

// toSchema converts one schema from the JSON of `providers schema -json` to
// the plugin protocol's.
func toSchema(s jsonSchema) (*tfprotov6.Schema, error) {
	b, err := toBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.Schema{Version: s.Version, Block: b}, nil
}

func toBlock(b jsonBlock) (*tfprotov6.SchemaBlock, error) {
	attrs, err := toAttributes(b.Attributes)
	if err != nil {
		return nil, err
	}
	out := &tfprotov6.SchemaBlock{Attributes: attrs, Description: b.Description,
		DescriptionKind: stringKind(b.DescriptionKind), Deprecated: b.Deprecated}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		inner, err := toBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		mode, ok := blockNesting[nb.NestingMode]
		if !ok {
			return nil, fmt.Errorf("block %s: unknown nesting mode %q", name, nb.NestingMode)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov6.SchemaNestedBlock{TypeName: name, Block: inner,
			Nesting: mode, MinItems: nb.MinItems, MaxItems: nb.MaxItems})
	}
	return out, nil
}

func toAttributes(in map[string]jsonAttribute) ([]*tfprotov6.SchemaAttribute, error) {
	var out []*tfprotov6.SchemaAttribute
	for _, name := range sortedKeys(in) {
		a := in[name]
		sa := &tfprotov6.SchemaAttribute{Name: name, Description: a.Description,
			DescriptionKind: stringKind(a.DescriptionKind), Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, Sensitive: a.Sensitive, Deprecated: a.Deprecated, WriteOnly: a.WriteOnly}
		switch {
		case a.NestedType != nil:
			nested, err := toAttributes(a.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			mode, ok := objectNesting[a.NestedType.NestingMode]
			if !ok {
				return nil, fmt.Errorf("attribute %s: unknown nesting mode %q", name, a.NestedType.NestingMode)
			}
			sa.NestedType = &tfprotov6.SchemaObject{Attributes: nested, Nesting: mode}
		case len(a.Type) > 0:
			t, err := parseType(a.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			sa.Type = t
		default:
			return nil, fmt.Errorf("attribute %s has neither a type nor a nested type", name)
		}
		out = append(out, sa)
	}
	return out, nil
}

// parseType reads cty's JSON type notation: "string", "number", "bool",
// "dynamic", ["list", T], ["set", T], ["map", T], ["tuple", [T...]] and
// ["object", {name: T}] or ["object", {name: T}, [optional names]].
func parseType(raw json.RawMessage) (tftypes.Type, error) {
	var prim string
	if json.Unmarshal(raw, &prim) == nil {
		switch prim {
		case "string":
			return tftypes.String, nil
		case "number":
			return tftypes.Number, nil
		case "bool":
			return tftypes.Bool, nil
		case "dynamic":
			return tftypes.DynamicPseudoType, nil
		}
		return nil, fmt.Errorf("unknown primitive type %q", prim)
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) < 2 {
		return nil, fmt.Errorf("invalid type %s", raw)
	}
	var kind string
	if err := json.Unmarshal(parts[0], &kind); err != nil {
		return nil, fmt.Errorf("invalid type %s", raw)
	}
	switch kind {
	case "list", "set", "map":
		elem, err := parseType(parts[1])
		if err != nil {
			return nil, err
		}
		switch kind {
		case "list":
			return tftypes.List{ElementType: elem}, nil
		case "set":
			return tftypes.Set{ElementType: elem}, nil
		}
		return tftypes.Map{ElementType: elem}, nil
	case "tuple":
		var elems []json.RawMessage
		if err := json.Unmarshal(parts[1], &elems); err != nil {
			return nil, fmt.Errorf("invalid tuple %s", raw)
		}
		tu := tftypes.Tuple{ElementTypes: []tftypes.Type{}}
		for _, e := range elems {
			t, err := parseType(e)
			if err != nil {
				return nil, err
			}
			tu.ElementTypes = append(tu.ElementTypes, t)
		}
		return tu, nil
	case "object":
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(parts[1], &attrs); err != nil {
			return nil, fmt.Errorf("invalid object %s", raw)
		}
		o := tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}
		for name, a := range attrs {
			t, err := parseType(a)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			o.AttributeTypes[name] = t
		}
		if len(parts) > 2 {
			var optional []string
			if err := json.Unmarshal(parts[2], &optional); err != nil {
				return nil, fmt.Errorf("invalid optional attributes %s", parts[2])
			}
			o.OptionalAttributes = map[string]struct{}{}
			for _, name := range optional {
				o.OptionalAttributes[name] = struct{}{}
			}
		}
		return o, nil
	}
	return nil, fmt.Errorf("unknown type kind %q", kind)
}

var blockNesting = map[string]tfprotov6.SchemaNestedBlockNestingMode{
	"single": tfprotov6.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov6.SchemaNestedBlockNestingModeList,
	"set":    tfprotov6.SchemaNestedBlockNestingModeSet,
	"map":    tfprotov6.SchemaNestedBlockNestingModeMap,
	"group":  tfprotov6.SchemaNestedBlockNestingModeGroup,
}

var objectNesting = map[string]tfprotov6.SchemaObjectNestingMode{
	"single": tfprotov6.SchemaObjectNestingModeSingle,
	"list":   tfprotov6.SchemaObjectNestingModeList,
	"set":    tfprotov6.SchemaObjectNestingModeSet,
	"map":    tfprotov6.SchemaObjectNestingModeMap,
}

func stringKind(s string) tfprotov6.StringKind {
	if s == "markdown" {
		return tfprotov6.StringKindMarkdown
	}
	return tfprotov6.StringKindPlain
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
