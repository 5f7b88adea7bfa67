package events

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaURL is the $id of the embedded envelope schema.
const schemaURL = "https://schemas.atlasapp.invalid/events/envelope.v1.json"

//go:embed schema/envelope.v1.json
var envelopeSchemaJSON []byte

// ErrInvalidEnvelope reports an envelope that does not satisfy the envelope
// schema. Publishing such an envelope can never succeed, so callers should
// not retry it.
var ErrInvalidEnvelope = errors.New("invalid event envelope")

// compiledSchema compiles the embedded schema once per process; the schema is
// a compile-time constant, so a failure here is a programming error that
// every test catches.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(envelopeSchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("parse envelope schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("add envelope schema: %w", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile envelope schema: %w", err)
	}
	return sch, nil
})

// EnvelopeSchema returns the JSON Schema (draft 2020-12) of the envelope,
// version 1, as committed in events/schema/envelope.v1.json.
func EnvelopeSchema() []byte {
	return bytes.Clone(envelopeSchemaJSON)
}

// ValidateJSON checks that b is one JSON envelope that satisfies the
// envelope schema. A defect is reported as an error wrapping
// ErrInvalidEnvelope that names the offending fields.
func ValidateJSON(b []byte) error {
	sch, err := compiledSchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: not JSON: %w", ErrInvalidEnvelope, err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEnvelope, err)
	}
	return nil
}
