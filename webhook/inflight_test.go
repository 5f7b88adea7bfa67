package webhook

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInflight_AnEndpointGetsAQuarterOfTheWorkers(t *testing.T) {
	t.Parallel()
	in := newInflight(8) // two per endpoint
	now := time.Now()
	ep := uuid.New()
	r1, ok := in.acquire(ep, false, now)
	require.True(t, ok)
	_, ok = in.acquire(ep, false, now)
	require.True(t, ok)
	_, ok = in.acquire(ep, false, now)
	assert.False(t, ok, "a third attempt at once waits")
	_, ok = in.acquire(uuid.New(), false, now)
	assert.True(t, ok, "another endpoint goes")
	r1()
	_, ok = in.acquire(ep, false, now)
	assert.True(t, ok, "an ended attempt frees its place")
}

func TestInflight_AFailingEndpointHasOneAttemptAtATime(t *testing.T) {
	t.Parallel()
	in := newInflight(100)
	now := time.Now()
	ep := uuid.New()
	release, ok := in.acquire(ep, true, now)
	require.True(t, ok)
	_, ok = in.acquire(ep, true, now)
	assert.False(t, ok)
	release()
	_, ok = in.acquire(ep, true, now)
	assert.True(t, ok)
}

func TestInflight_AnEndpointWithASlowAttemptWaits(t *testing.T) {
	t.Parallel()
	in := newInflight(100)
	start := time.Now()
	ep := uuid.New()
	_, ok := in.acquire(ep, false, start)
	require.True(t, ok)
	_, ok = in.acquire(ep, false, start.Add(slowAfter/2))
	require.True(t, ok, "a quick attempt under way does not hold the next one up")
	_, ok = in.acquire(ep, false, start.Add(slowAfter))
	assert.False(t, ok, "an attempt under way for slowAfter makes the endpoint suspect")
	_, ok = in.acquire(uuid.New(), false, start.Add(slowAfter))
	assert.True(t, ok, "other endpoints still go")
}

func TestInflight_SuspectEndpointsGetHalfTheWorkersAtMost(t *testing.T) {
	t.Parallel()
	in := newInflight(4) // suspect endpoints: two attempts at once
	now := time.Now()
	for range 2 {
		_, ok := in.acquire(uuid.New(), true, now)
		require.True(t, ok)
	}
	_, ok := in.acquire(uuid.New(), true, now)
	assert.False(t, ok, "a third failing endpoint waits")
	_, ok = in.acquire(uuid.New(), false, now)
	assert.True(t, ok, "a healthy one goes")
}

func TestSnoozeFor_GrowsWithTheSnoozesUpToAMaximum(t *testing.T) {
	t.Parallel()
	timeout := 10 * time.Second
	for range 20 {
		first := snoozeFor(timeout, nil)
		assert.GreaterOrEqual(t, first, timeout/2)
		assert.LessOrEqual(t, first, timeout)
		third := snoozeFor(timeout, []byte(`{"snoozes":2}`))
		assert.GreaterOrEqual(t, third, 2*timeout)
		assert.LessOrEqual(t, third, 4*timeout)
		assert.LessOrEqual(t, snoozeFor(timeout, []byte(`{"snoozes":400}`)), snoozeMax)
		assert.GreaterOrEqual(t, snoozeFor(timeout, []byte(`{"snoozes":400}`)), snoozeMax/2)
	}
}
