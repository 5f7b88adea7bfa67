// Package leaktest is the TestMain of packages whose code starts goroutines
// (consumers, the outbox drainer, workers, servers, the search syncer): it
// runs the package's tests and then fails the run if any goroutine outlived
// them, since every component must stop when its owner does.
//
// Exceptions, each with its reason, belong in ignored; there are none today.
package leaktest

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// ignored lists goroutines that are not Atlas' to stop.
var ignored []goleak.Option

// VerifyTestMain runs m's tests and exits, failing with the stacks of the
// goroutines still running afterwards (goleak gives them a moment to end).
func VerifyTestMain(m *testing.M) {
	os.Exit(Run(m))
}

// Run is VerifyTestMain for a TestMain with work of its own around the
// tests: it returns the exit code instead of exiting.
//
// http.DefaultTransport's idle keep-alive connections (two goroutines each)
// are closed first: callers of the shared transport (http.Get,
// http.DefaultClient) leave them behind by design, and closing them is how a
// process ends them. Clients with a transport of their own close theirs
// (searchtest does for each test's Elasticsearch client).
func Run(m *testing.M) int {
	code := m.Run()
	if code == 0 {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		if err := find(); err != nil {
			fmt.Fprintf(os.Stderr, "leaktest: goroutines outlived the tests: %v\n", err)
			code = 1
		}
	}
	return code
}

// settle is how long goroutines may take to end after the tests. A Kafka
// readiness check answers as soon as the broker refuses its credentials,
// but librdkafka's metadata call cannot be cancelled: the goroutine that
// owns the client closes it when that call returns, within the admin
// timeout (30 s). Such goroutines end on their own; one that is still
// running after settle is a leak.
const settle = 35 * time.Second

// find is goleak.Find, asked again until no goroutine is left or settle
// has passed.
func find() error {
	deadline := time.Now().Add(settle)
	for {
		err := goleak.Find(ignored...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
}
