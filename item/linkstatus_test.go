package item

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecideLink_OnlyConfirmedChangesAreAnnounced(t *testing.T) {
	t.Parallel()
	p := LinkPolicy{Interval: 7 * 24 * time.Hour, ConfirmAfter: 24 * time.Hour}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		after    time.Duration // since t0
		obs      LinkStatus
		status   LinkStatus // after the step
		announce bool
	}
	cases := map[string][]step{
		"first sight of a working link": {{0, LinkOK, LinkOK, false}},
		"404 twice a day apart is gone": {
			{0, LinkOK, LinkOK, false}, {7 * 24 * time.Hour, LinkGone, LinkOK, false}, {8 * 24 * time.Hour, LinkGone, LinkGone, true},
		},
		"a second 404 too soon does not confirm": {
			{0, LinkOK, LinkOK, false}, {0, LinkGone, LinkOK, false}, {time.Hour, LinkGone, LinkOK, false}, {25 * time.Hour, LinkGone, LinkGone, true},
		},
		"flapping changes nothing": {
			{0, LinkOK, LinkOK, false}, {24 * time.Hour, LinkServerError, LinkOK, false}, {48 * time.Hour, LinkOK, LinkOK, false},
			{72 * time.Hour, LinkServerError, LinkOK, false}, {96 * time.Hour, LinkOK, LinkOK, false},
		},
		"a different failure restarts the count": {
			{0, LinkOK, LinkOK, false}, {24 * time.Hour, LinkServerError, LinkOK, false}, {48 * time.Hour, LinkUnreachable, LinkOK, false},
			{72 * time.Hour, LinkUnreachable, LinkUnreachable, true},
		},
		"a broken link from the start is announced once confirmed": {
			{0, LinkGone, LinkUnknown, false}, {24 * time.Hour, LinkGone, LinkGone, true}, {48 * time.Hour, LinkGone, LinkGone, false},
		},
		"recovery is confirmed too": {
			{0, LinkGone, LinkUnknown, false}, {24 * time.Hour, LinkGone, LinkGone, true},
			{48 * time.Hour, LinkOK, LinkGone, false}, {72 * time.Hour, LinkOK, LinkOK, true},
		},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := linkState{Status: LinkUnknown}
			for i, s := range steps {
				now := t0.Add(s.after)
				var announce bool
				var next time.Time
				st, announce, next = decideLink(st, s.obs, now, p)
				require.Equal(t, s.status, st.Status, "step %d", i)
				assert.Equal(t, s.announce, announce, "step %d", i)
				if st.Pending != nil {
					assert.Equal(t, now.Add(p.ConfirmAfter), next, "step %d: the confirming check comes after ConfirmAfter", i)
				} else {
					assert.Equal(t, now.Add(p.Interval), next, "step %d", i)
				}
			}
		})
	}
}

func TestParseLinkStatuses_ExpandsAliasesAndRejectsTheUnknown(t *testing.T) {
	t.Parallel()
	got, err := ParseLinkStatuses([]string{"dead", "moved", "gone"})
	require.NoError(t, err)
	assert.Equal(t, []string{"gone", "moved", "unreachable"}, got)
	got, err = ParseLinkStatuses([]string{"attention"})
	require.NoError(t, err)
	assert.Equal(t, []string{"gone", "moved", "server_error", "unreachable"}, got)
	_, err = ParseLinkStatuses([]string{"broken"})
	require.Error(t, err)
}
