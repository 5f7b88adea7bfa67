package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/retry"
)

func TestBackoff_DoublesWithJitterUpToMax(t *testing.T) {
	t.Parallel()
	b := retry.Backoff{Base: 10 * time.Second, Max: time.Minute}
	within := func(d, want time.Duration) bool { return d >= want*9/10 && d <= want*11/10 }
	for range 100 {
		assert.True(t, within(b.Delay(1), 10*time.Second))
		assert.True(t, within(b.Delay(2), 20*time.Second))
		assert.True(t, within(b.Delay(3), 40*time.Second))
		assert.LessOrEqual(t, b.Delay(4), time.Minute)
		assert.LessOrEqual(t, b.Delay(50), time.Minute, "no overflow on late attempts")
		assert.GreaterOrEqual(t, b.DelayAtLeast(1, 30*time.Second), 30*time.Second, "a Retry-After floor wins")
		assert.Equal(t, time.Minute, b.DelayAtLeast(1, time.Hour), "but never beyond Max")
	}
}

func TestPermanent_SurvivesWrapping(t *testing.T) {
	t.Parallel()
	base := errors.New("mapping rejects the document")
	err := fmt.Errorf("reindex item: %w", retry.Permanent(base))
	assert.True(t, retry.IsPermanent(err))
	assert.ErrorIs(t, err, base)
	assert.Equal(t, "reindex item: mapping rejects the document", err.Error())
	assert.False(t, retry.IsPermanent(fmt.Errorf("timeout: %w", base)))
	assert.NoError(t, retry.Permanent(nil))
}

func TestBackoffOr_KeepsWhatIsSetAndFillsTheRest(t *testing.T) {
	t.Parallel()
	def := retry.Backoff{Base: 5 * time.Second, Max: time.Hour}
	assert.Equal(t, def, retry.Backoff{}.Or(def))
	assert.Equal(t, retry.Backoff{Base: time.Millisecond, Max: time.Hour}, retry.Backoff{Base: time.Millisecond}.Or(def))
	assert.Equal(t, retry.Backoff{Base: 5 * time.Second, Max: time.Minute}, retry.Backoff{Max: time.Minute}.Or(def))
	assert.Equal(t, retry.Backoff{Base: 2 * time.Hour, Max: 2 * time.Hour}, retry.Backoff{Base: 2 * time.Hour}.Or(def),
		"a default Max below the given Base is raised to it")
}

func TestBackoffDo_RetriesUntilSuccessPermanentErrorOrLastAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := retry.Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond}
	flaky := errors.New("flaky")

	calls := 0
	require.NoError(t, b.Do(ctx, 0, func(attempt int) error {
		calls++
		assert.Equal(t, calls, attempt)
		if attempt < 4 {
			return flaky
		}
		return nil
	}))
	assert.Equal(t, 4, calls, "unlimited attempts: until it succeeds")

	calls = 0
	err := b.Do(ctx, 3, func(int) error { calls++; return flaky })
	assert.ErrorIs(t, err, flaky)
	assert.Equal(t, 3, calls, "stops after the last attempt")

	calls = 0
	gone := errors.New("gone")
	err = b.Do(ctx, 0, func(int) error { calls++; return retry.Permanent(gone) })
	assert.Equal(t, gone, err, "the Permanent mark is removed")
	assert.Equal(t, 1, calls, "a permanent error is not retried")

	calls = 0
	err = b.Do(ctx, 0, func(int) error { calls++; return fmt.Errorf("wrapped: %w", retry.Permanent(gone)) })
	assert.True(t, retry.IsPermanent(err), "a mark deeper in the chain stays for the caller")
	assert.Equal(t, 1, calls)
}

func TestBackoffDo_StopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	flaky := errors.New("flaky")
	calls := 0
	err := retry.Backoff{Base: time.Hour, Max: time.Hour}.Do(ctx, 0, func(int) error {
		calls++
		cancel()
		return flaky
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, flaky, "the last attempt's error is kept")
	assert.Equal(t, 1, calls, "no attempt after the context ended, and no hour-long wait")
}

func TestSleep_WaitsOrEndsWithTheContext(t *testing.T) {
	t.Parallel()
	start := time.Now()
	require.NoError(t, retry.Sleep(context.Background(), 20*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	assert.ErrorIs(t, retry.Sleep(ctx, time.Hour), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}
