package search

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// itemsMapping is the index settings and mapping for item documents, kept as a JSON file so it can
// be reviewed and diffed on its own.
//
//go:embed mapping/items.json
var itemsMapping []byte

// Mapping returns a copy of the index body (settings and mappings) used for every concrete index.
func Mapping() []byte {
	out := make([]byte, len(itemsMapping))
	copy(out, itemsMapping)
	return out
}

// indexBody returns the create-index body: the embedded mapping with the replica count set and,
// when alias is not empty, the alias attached at creation.
func indexBody(replicas int, refreshInterval string, alias string) ([]byte, error) {
	var body map[string]any
	if err := json.Unmarshal(itemsMapping, &body); err != nil {
		return nil, fmt.Errorf("parse embedded mapping: %w", err)
	}
	settings, ok := body["settings"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("embedded mapping has no settings object")
	}
	index, ok := settings["index"].(map[string]any)
	if !ok {
		index = map[string]any{}
		settings["index"] = index
	}
	index["number_of_replicas"] = replicas
	if refreshInterval != "" {
		index["refresh_interval"] = refreshInterval
	}
	if alias != "" {
		body["aliases"] = map[string]any{alias: map[string]any{}}
	}
	out, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode index body: %w", err)
	}
	return out, nil
}

// mappingBody returns the fields of the embedded mapping, the body of a put-mapping request that
// adds the fields an older index lacks. (The _source settings of an existing index cannot change:
// an index created before the content field keeps it in _source until the next reindex.)
func mappingBody() ([]byte, error) {
	var body struct {
		Mappings struct {
			Properties json.RawMessage `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(itemsMapping, &body); err != nil {
		return nil, fmt.Errorf("parse embedded mapping: %w", err)
	}
	out, err := json.Marshal(map[string]any{"properties": body.Mappings.Properties})
	if err != nil {
		return nil, fmt.Errorf("encode mapping: %w", err)
	}
	return out, nil
}
