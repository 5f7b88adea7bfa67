package cursor_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
)

type pos struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

func newCodec(t *testing.T, key string) *cursor.Codec {
	t.Helper()
	c, err := cursor.NewCodec([]byte(key))
	require.NoError(t, err)
	return c
}

func TestCodec_RoundTrip(t *testing.T) {
	t.Parallel()
	c := newCodec(t, "0123456789abcdef-key")
	in := pos{At: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), ID: uuid.Must(uuid.NewV7())}
	s, err := c.Encode("items:x", in)
	require.NoError(t, err)
	var out pos
	require.NoError(t, c.Decode("items:x", s, &out))
	require.True(t, in.At.Equal(out.At))
	require.Equal(t, in.ID, out.ID)
}

func TestCodec_RejectsTamperingAndMisuse(t *testing.T) {
	t.Parallel()
	c := newCodec(t, "0123456789abcdef-key")
	s, err := c.Encode("items:a", pos{ID: uuid.Must(uuid.NewV7())})
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	flipped := append([]byte(nil), raw...)
	flipped[2] ^= 0x01

	cases := map[string]struct {
		codec *cursor.Codec
		scope string
		value string
	}{
		"flipped payload byte": {c, "items:a", base64.RawURLEncoding.EncodeToString(flipped)},
		"other list":           {c, "items:b", s},
		"other key":            {newCodec(t, "another-secret-key-123"), "items:a", s},
		"not base64":           {c, "items:a", "%%%"},
		"too short":            {c, "items:a", "abc"},
		"empty":                {c, "items:a", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out pos
			err := tc.codec.Decode(tc.scope, tc.value, &out)
			require.ErrorIs(t, err, atlas.ErrBadRequest)
		})
	}
}

func TestNewCodec_RejectsShortKey(t *testing.T) {
	t.Parallel()
	_, err := cursor.NewCodec([]byte("short"))
	require.Error(t, err)
}
