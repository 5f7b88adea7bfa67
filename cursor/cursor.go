// Package cursor makes the opaque, tamper-evident pagination cursors every
// Atlas list endpoint returns. A cursor carries the keyset position of the
// last row of a page, bound to the list it came from and signed with HMAC,
// so a client can neither forge a position nor replay a cursor on another
// list.
package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/atlasapp/atlas"
)

const macLen = 16

// Codec encodes and verifies cursors with one secret key.
type Codec struct {
	key []byte
}

// NewCodec returns a codec using key (at least 16 bytes).
func NewCodec(key []byte) (*Codec, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("cursor key must be at least 16 bytes, got %d", len(key))
	}
	return &Codec{key: bytes.Clone(key)}, nil
}

// Encode signs position for the list named by scope (for example
// "items:<collection id>").
func (c *Codec) Encode(scope string, position any) (string, error) {
	payload, err := json.Marshal(position)
	if err != nil {
		return "", fmt.Errorf("encode cursor: %w", err)
	}
	buf := make([]byte, 0, len(payload)+macLen)
	buf = append(buf, payload...)
	buf = append(buf, c.mac(scope, payload)...)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Decode verifies s for scope and unmarshals its position. Any defect is
// an atlas.ErrBadRequest, so a tampered cursor answers 400.
func (c *Codec) Decode(scope, s string, position any) error {
	invalid := atlas.Errorf(atlas.ErrBadRequest, "invalid cursor: it was altered or belongs to another list")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) <= macLen {
		return invalid
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, c.mac(scope, payload)) {
		return invalid
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(position); err != nil {
		return invalid
	}
	return nil
}

func (c *Codec) mac(scope string, payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}
