package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// proc is one Atlas process under supervision: like a Kubernetes
// controller, the supervisor restarts it whenever it exits, unless it was
// stopped on purpose.
type proc struct {
	name string
	args []string
	env  []string
	logs string
	log  *slog.Logger

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	held     bool     // not to be restarted until released
	extraEnv []string // for the next start only
	starts   int
}

func newProc(name, bin, logDir string, env []string, log *slog.Logger, args ...string) *proc {
	return &proc{name: name, args: append([]string{bin}, args...), env: env, logs: filepath.Join(logDir, name+".log"), log: log}
}

// start launches the process (the caller holds mu).
func (p *proc) startLocked() error {
	f, err := os.OpenFile(p.logs, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.args[0], p.args[1:]...) //nolint:gosec // G204: the processes under test, named by this tool
	cmd.Env = append(append(os.Environ(), p.env...), p.extraEnv...)
	p.extraEnv = nil
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.starts++
	p.cmd, p.exited = cmd, make(chan struct{})
	exited := p.exited
	go func() {
		err := cmd.Wait()
		_ = f.Close() // the process is gone; its log is complete
		close(exited)
		p.mu.Lock()
		held := p.held
		p.mu.Unlock()
		if !held {
			p.log.Info("process exited; restarting", "process", p.name, "status", fmt.Sprint(err))
			time.Sleep(time.Second)
			p.mu.Lock()
			if !p.held && p.cmd == cmd {
				if err := p.startLocked(); err != nil {
					p.log.Error("restart failed", "process", p.name, "error", err)
				}
			}
			p.mu.Unlock()
		}
	}()
	return nil
}

func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	return p.startLocked()
}

// stop sends sig, waits for the exit and keeps the process down.
func (p *proc) stop(sig syscall.Signal) {
	p.mu.Lock()
	p.held = true
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(40 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// restartWith stops the process cleanly and starts it again with extra
// environment for that one start (the supervisor's later restarts go back
// to the usual environment).
func (p *proc) restartWith(extra ...string) error {
	p.stop(syscall.SIGTERM)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	p.extraEnv = extra
	return p.startLocked()
}

// waitExit waits up to d for the current run of the process to end.
func (p *proc) waitExit(ctx context.Context, d time.Duration) bool {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	select {
	case <-exited:
		return true
	case <-time.After(d):
		return false
	case <-ctx.Done():
		return false
	}
}
