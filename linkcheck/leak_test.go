package linkcheck_test

import (
	"testing"

	"github.com/atlasapp/atlas/leaktest"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// checker's requests, waits and connections end with their sweep.
func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}
