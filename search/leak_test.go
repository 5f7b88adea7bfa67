package search_test

import (
	"testing"

	"github.com/atlasapp/atlas/leaktest"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// component this package starts must stop when its owner does.
func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}
