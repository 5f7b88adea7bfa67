package publiclink_test

import (
	"testing"

	"github.com/atlasapp/atlas/leaktest"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}
