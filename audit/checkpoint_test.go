package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/audit"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

func TestCheckpoint_DetectsTruncatedTailThatTheChainAloneMisses(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	brokers := brokertest.Brokers(t)
	// A topic of the test's own: UniqueTopic creates it with 1 partition;
	// Put writes to partition 0 of an existing topic as it is.
	cps := audit.Checkpoints{Store: broker.Cluster{Brokers: brokers}, Topic: brokertest.UniqueTopic(t, brokers, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	_, ok, err := cps.Latest(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "no checkpoint yet")

	for range 5 {
		appendEvents(t, pool, newEvent(t, eventOpts{}))
	}
	head, ok, err := audit.Head(ctx, pool, time.Now())
	require.NoError(t, err)
	require.True(t, ok)
	require.EqualValues(t, 5, head.Seq)
	older := head
	older.Seq, older.Hash = 4, "00"
	require.NoError(t, cps.Put(ctx, older))
	require.NoError(t, cps.Put(ctx, head))
	latest, ok, err := cps.Latest(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, head.Seq, latest.Seq, "the last checkpoint written wins")
	assert.Equal(t, head.Hash, latest.Hash)
	require.NoError(t, audit.CheckCheckpoint(ctx, pool, latest))

	// A rogue administrator removes the newest rows: what is left still
	// forms a valid chain, but the checkpoint knows better.
	tamper(t, pool, `DELETE FROM audit_events WHERE seq = 5`)
	assert.True(t, verify(t, pool).OK(), "the shortened chain verifies on its own")
	err = audit.CheckCheckpoint(ctx, pool, latest)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "truncated: row 5")
}

func TestCheckpoint_DetectsRewrittenRow(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	for range 3 {
		appendEvents(t, pool, newEvent(t, eventOpts{}))
	}
	head, _, err := audit.Head(t.Context(), pool, time.Now())
	require.NoError(t, err)
	tamper(t, pool, `UPDATE audit_events SET hash = sha256(hash) WHERE seq = 3`)
	err = audit.CheckCheckpoint(t.Context(), pool, head)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rewritten: row 3")
}
