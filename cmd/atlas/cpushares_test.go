package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// cgroupCPU is the cgroup v1 CPU controller, where cpu.shares sets a
// group's weight (1024: a process on its own).
const cgroupCPU = "/sys/fs/cgroup/cpu"

// withCPUShares moves procs into a cgroup of their own whose threads
// together weigh shares against the 1024 of any other process, as
// compose.yml's cpu_shares (and, on Kubernetes, a pod's CPU request) does
// for the background processes. Only the CPU's sharing among runnable
// threads changes; an idle machine is all theirs. It needs root and the
// cgroup v1 CPU controller; without them the benchmark stops and says so.
// The processes go back to the root group when the benchmark ends.
func withCPUShares(b *testing.B, shares int, procs ...*process) {
	b.Helper()
	dir := filepath.Join(cgroupCPU, "atlas-bench-"+uuid.NewString()[:8])
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatalf("cpu shares need root and the cgroup v1 CPU controller at %s: %v", cgroupCPU, err)
	}
	b.Cleanup(func() {
		if err := moveTasks(dir, cgroupCPU); err != nil {
			b.Logf("cgroup %s: %v", dir, err)
		}
		if err := os.Remove(dir); err != nil {
			b.Logf("cgroup %s: %v", dir, err)
		}
	})
	if err := os.WriteFile(filepath.Join(dir, "cpu.shares"), []byte(strconv.Itoa(shares)), 0o644); err != nil {
		b.Fatalf("cgroup %s: cpu.shares: %v", dir, err)
	}
	for _, p := range procs {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(p.cmd.Process.Pid)), 0o644); err != nil {
			b.Fatalf("cgroup %s: move pid %d: %v", dir, p.cmd.Process.Pid, err)
		}
	}
}

// moveTasks moves every process of the cgroup from into to.
func moveTasks(from, to string) error {
	raw, err := os.ReadFile(filepath.Join(from, "cgroup.procs"))
	if err != nil {
		return err
	}
	var errs []error
	for _, pid := range strings.Fields(string(raw)) {
		if err := os.WriteFile(filepath.Join(to, "cgroup.procs"), []byte(pid), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("move pid %s: %w", pid, err))
		}
	}
	return errors.Join(errs...)
}
