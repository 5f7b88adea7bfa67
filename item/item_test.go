package item_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/item"
)

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in   []string
		want []string
	}{
		"nil":                  {nil, []string{}},
		"trim and lower":       {[]string{"  Go ", "DATABASES"}, []string{"databases", "go"}},
		"dedupe after folding": {[]string{"go", "Go", " go"}, []string{"go"}},
		"drop empty":           {[]string{"", "   ", "x"}, []string{"x"}},
		"inner spaces folded":  {[]string{"machine   learning"}, []string{"machine learning"}},
		"unicode lowercased":   {[]string{"ÉTÉ"}, []string{"été"}},
		"sorted":               {[]string{"b", "a", "c"}, []string{"a", "b", "c"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := item.NormalizeTags(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeTags_Rejects(t *testing.T) {
	t.Parallel()
	many := make([]string, item.MaxTags+1)
	for i := range many {
		many[i] = strings.Repeat("t", i+1)
	}
	for name, in := range map[string][]string{
		"too long":      {strings.Repeat("x", item.MaxTagLen+1)},
		"control chars": {"bad\x00tag"},
		"too many":      many,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := item.NormalizeTags(in)
			require.ErrorIs(t, err, atlas.ErrInvalid)
		})
	}
	// Exactly at the limits is fine.
	_, err := item.NormalizeTags([]string{strings.Repeat("é", item.MaxTagLen)})
	require.NoError(t, err)
}

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"https://go.dev/ref/mem":     "https://go.dev/ref/mem",
		"  http://example.com/a?b ":  "http://example.com/a?b",
		"HTTPS://Example.com/Path":   "https://Example.com/Path",
		"https://[2001:db8::1]:8443": "https://[2001:db8::1]:8443",
	}
	for in, want := range ok {
		got, err := item.NormalizeURL(in)
		require.NoError(t, err, in)
		require.NotNil(t, got)
		require.Equal(t, want, *got)
	}
	none, err := item.NormalizeURL("   ")
	require.NoError(t, err)
	require.Nil(t, none, "blank means no URL")
	for _, bad := range []string{"ftp://example.com", "javascript:alert(1)", "//example.com", "/relative", "https://", "http://:80", "mailto:a@b.c", "https://" + strings.Repeat("a", item.MaxURLLen)} {
		_, err := item.NormalizeURL(bad)
		require.ErrorIs(t, err, atlas.ErrInvalid, bad)
	}
}

// TestNormalizeTags_SharedVectors runs the table the dashboard's
// normaliseTags is tested against too (web/src/items/tags.test.ts), so the
// two cannot drift apart.
func TestNormalizeTags_SharedVectors(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/tags.json")
	require.NoError(t, err)
	var vectors struct {
		Cases []struct {
			Name  string   `json:"name"`
			In    []string `json:"in"`
			Want  []string `json:"want"`
			Error string   `json:"error"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &vectors))
	require.NotEmpty(t, vectors.Cases)
	for _, tc := range vectors.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			got, err := item.NormalizeTags(tc.In)
			if tc.Error != "" {
				require.ErrorIs(t, err, atlas.ErrInvalid)
				require.EqualError(t, err, tc.Error)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.Want, got)
		})
	}
}
