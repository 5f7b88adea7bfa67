package linkcheck_test

import "encoding/json"

// must reads one key of an event's data.
func must(data json.RawMessage, key string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m[key]
}
