package retry_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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
