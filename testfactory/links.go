package testfactory

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/item"
)

// ConfirmLink records obs for it's link twice in a row, as two checks of
// the link checker a confirmation apart would, so that its status is
// confirmed (see item.Service.RecordLinkCheck). It claims every due link
// of the database to enrol it.
func (e *Env) ConfirmLink(t testing.TB, it item.Item, obs item.LinkObservation) {
	t.Helper()
	ctx := context.Background()
	targets, err := e.Items.ClaimLinkChecks(ctx, time.Now().Add(time.Minute), 1000, time.Hour)
	require.NoError(t, err)
	for _, target := range targets {
		if target.ItemID != it.ID {
			continue
		}
		policy := item.LinkPolicy{Interval: time.Hour}
		for range 2 {
			_, err := e.Items.RecordLinkCheck(ctx, target, obs, policy)
			require.NoError(t, err)
		}
		got, err := e.Items.GetForSystem(ctx, it.ID)
		require.NoError(t, err)
		require.NotNil(t, got.Link)
		require.Equal(t, obs.Status, got.Link.Status, "the link's status is confirmed")
		return
	}
	t.Fatalf("item %s has no link to check", it.ID)
}
