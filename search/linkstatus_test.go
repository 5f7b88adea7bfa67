package search

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseQueryText_StatusFilters(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want queryText
	}{
		{"status:dead", queryText{LinkStatuses: []string{"gone", "unreachable"}}},
		{"go status:moved", queryText{Words: []string{"go"}, LinkStatuses: []string{"moved"}}},
		{"status:MOVED status:gone", queryText{LinkStatuses: []string{"moved", "gone"}}},
		{"status:weird", queryText{Words: []string{"status:weird"}}},
		{`"status:dead"`, queryText{Words: []string{"status:dead"}}},
	} {
		assert.Equal(t, tt.want, parseQueryText(tt.in), "%q", tt.in)
	}
}

func TestSearch_StatusFilterSelectsByLinkStatus(t *testing.T) {
	t.Parallel()
	ix := setup(t)
	c := uuid.New()
	ok, gone, lost, moved := newDoc(c, docOpts{Title: "harbour ok"}), newDoc(c, docOpts{Title: "harbour gone"}),
		newDoc(c, docOpts{Title: "harbour lost"}), newDoc(c, docOpts{Title: "harbour moved"})
	ok.LinkStatus, gone.LinkStatus, lost.LinkStatus, moved.LinkStatus = "ok", "gone", "unreachable", "moved"
	require.NoError(t, ix.Upsert(t.Context(), ok, gone, lost, moved))
	for q, want := range map[string][]uuid.UUID{
		"status:dead":           {gone.ID, lost.ID},
		"harbour status:moved":  {moved.ID},
		"status:attention":      {gone.ID, lost.ID, moved.ID},
		"harbour":               {ok.ID, gone.ID, lost.ID, moved.ID},
		"status:ok status:gone": {ok.ID, gone.ID},
	} {
		res, err := ix.Search(t.Context(), Params{Query: q, CollectionIDs: []uuid.UUID{c}})
		require.NoError(t, err, q)
		assert.ElementsMatch(t, want, hitIDs(res), q)
	}
}
