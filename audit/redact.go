package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Masked replaces every non-null value of a redacted field.
const Masked = "[redacted]"

// Why a field is redacted.
const (
	// ReasonSecret: credentials. They must never reach an event at all;
	// finding one is a bug in the producer, and Redact reports it.
	ReasonSecret = "secret"
	// ReasonPersonal: personal data that must not be kept forever in an
	// append-only table.
	ReasonPersonal = "personal"
)

// redactedFields is the one list of event data fields the audit trail never
// stores verbatim, matched case-insensitively on object keys at any depth.
// For a change ({"notes": {"before": ..., "after": ...}}) the before and
// after values are masked but the change itself stays visible.
var redactedFields = map[string]string{
	"password":      ReasonSecret,
	"password_hash": ReasonSecret,
	"token":         ReasonSecret,
	"access_token":  ReasonSecret,
	"refresh_token": ReasonSecret,
	"secret":        ReasonSecret,
	"api_key":       ReasonSecret,
	"authorization": ReasonSecret,

	"email":        ReasonPersonal,
	"display_name": ReasonPersonal,
	"notes":        ReasonPersonal, // private free text about an item
	"phone":        ReasonPersonal,
	"ip_address":   ReasonPersonal,
	"user_agent":   ReasonPersonal,
}

// RedactedFields returns the redacted field names with the reason of each.
func RedactedFields() map[string]string {
	out := make(map[string]string, len(redactedFields))
	for k, v := range redactedFields {
		out[k] = v
	}
	return out
}

// Redaction is the result of Redact.
type Redaction struct {
	// Data is the redacted JSON object.
	Data json.RawMessage
	// Masked lists the paths (dot-separated keys) of masked fields, sorted.
	Masked []string
	// Secrets lists the masked paths whose field is a secret.
	Secrets []string
}

// Redact masks every redacted field of data, a JSON object, keeping its
// structure: each non-null scalar under a redacted key becomes Masked,
// nulls stay null. Data without redacted fields is returned unchanged.
func Redact(data json.RawMessage) (Redaction, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers pass through exactly
	var v any
	if err := dec.Decode(&v); err != nil {
		return Redaction{}, fmt.Errorf("redact: decode data: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Redaction{}, fmt.Errorf("redact: data is not a JSON object")
	}
	r := Redaction{Data: data}
	walk(obj, "", &r)
	if len(r.Masked) == 0 {
		return r, nil
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return Redaction{}, fmt.Errorf("redact: encode data: %w", err)
	}
	r.Data = out
	sort.Strings(r.Masked)
	sort.Strings(r.Secrets)
	return r, nil
}

func walk(v any, path string, r *Redaction) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if reason, ok := redactedFields[strings.ToLower(k)]; ok {
				t[k] = mask(child)
				r.Masked = append(r.Masked, p)
				if reason == ReasonSecret {
					r.Secrets = append(r.Secrets, p)
				}
				continue
			}
			walk(child, p, r)
		}
	case []any:
		for i, child := range t {
			walk(child, fmt.Sprintf("%s[%d]", path, i), r)
		}
	}
}

// mask replaces every non-null scalar in v with Masked.
func mask(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		for k, child := range t {
			t[k] = mask(child)
		}
		return t
	case []any:
		for i, child := range t {
			t[i] = mask(child)
		}
		return t
	default:
		return Masked
	}
}
