package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/leaktest"
)

// atlasBin is the binary built once for these tests.
var atlasBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "atlas-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	atlasBin = filepath.Join(dir, "atlas")
	build := exec.Command("go", "build", "-o", atlasBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build atlas:", err)
		os.Exit(1)
	}
	code := leaktest.Run(m) // and no goroutine of the test process may outlive the tests
	os.RemoveAll(dir)
	os.Exit(code)
}

// logBuffer collects a process's output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running atlas subcommand.
type process struct {
	cmd  *exec.Cmd
	logs *logBuffer
	done chan error
}

// startAtlas runs `atlas <sub>` with env added to a minimal environment and
// kills it if the test ends first.
func startAtlas(t testing.TB, sub string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(atlasBin, sub)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "ATLAS_JWT_SECRET=shutdown-test-secret-shutdown-test-secret"}, env...)
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("atlas %s output:\n%s", sub, logs.String())
		}
	})
	return p
}

// exitCode waits for the process to end and returns its exit code.
func (p *process) exitCode(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("process did not exit within %s", within)
		return -1
	}
}

// waitLog polls the process output for a line containing s.
func (p *process) waitLog(t testing.TB, s string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(p.logs.String(), s) }, within, 20*time.Millisecond,
		"no %q in the output within %s", s, within)
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// waitStatus polls url until it answers want.
func waitStatus(t testing.TB, url string, want int, within time.Duration) {
	t.Helper()
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		resp, err := http.Get(url)
		require.NoError(collect, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(collect, want, resp.StatusCode, "%s", b)
	}, within, 50*time.Millisecond, "%s did not answer %d within %s", url, want, within)
}

// get returns the body of a 200 answer from url. t may be the CollectT of a
// require.EventuallyWithT condition.
func get(t apitest.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, b)
	return string(b)
}

func TestServe_SIGTERMLetsInFlightRequestFinishAndExitsZero(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	base := "http://" + addr
	p := startAtlas(t, "serve", "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_HTTP_ADDR="+addr)
	waitStatus(t, base+"/health", http.StatusOK, 30*time.Second)
	ready := get(t, base+"/ready")
	assert.Contains(t, ready, `"name":"postgres","status":"ok"`)
	assert.NotContains(t, ready, "error", "the public /ready gives no error details")

	// Open a registration whose body is still being sent: the server has
	// read the headers and its handler waits for the body ("100 Continue"
	// proves the handler started reading it).
	body := `{"email":"in-flight@example.com","password":"correct horse battery","display_name":"In Flight"}`
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/v1/auth/register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\nX-Request-ID: in-flight-1\r\n\r\n", addr, len(body))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	status, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", status)
	_, err = rd.ReadString('\n') // the blank line after the interim response
	require.NoError(t, err)

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLog(t, `"msg":"shutting down"`, 10*time.Second)
	// New connections are refused once shutdown began.
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	}, 5*time.Second, 20*time.Millisecond, "still accepting connections after SIGTERM")

	// The request in flight completes normally.
	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	assert.Contains(t, string(b), "in-flight@example.com")

	require.Equal(t, 0, p.exitCode(t, 30*time.Second), "exit code after SIGTERM")
	assert.Contains(t, p.logs.String(), `"request_id":"in-flight-1"`, "the drained request was logged")
}

// A keep-alive connection stays with a terminating pod after its endpoints
// are gone; during the shutdown delay each response closes its connection so
// the client's next request opens one to a pod still in service, instead of
// racing the idle-connection close Shutdown does at the end of the delay.
func TestServe_DuringShutdownDelayEveryResponseClosesItsConnection(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := startAtlas(t, "serve", "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_HTTP_ADDR="+addr, "ATLAS_SHUTDOWN_DELAY=3s")
	waitStatus(t, "http://"+addr+"/health", http.StatusOK, 30*time.Second)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	rd := bufio.NewReader(conn)
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	health := func() *http.Response {
		t.Helper()
		_, err := fmt.Fprintf(conn, "GET /health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		require.NoError(t, err)
		resp, err := http.ReadResponse(rd, nil)
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp
	}
	assert.False(t, health().Close, "before SIGTERM the connection is kept alive")

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLog(t, `"msg":"stopping: still serving while traffic moves away"`, 10*time.Second)
	resp := health()
	assert.True(t, resp.Close, "a response during the delay closes its connection")
	_, err = rd.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the server closed the connection after the response")
	assert.NotContains(t, p.logs.String(), `"msg":"shutting down"`, "the answer came within the delay")

	// A new connection is still served during the delay, and closed after its answer too.
	r, err := http.Get("http://" + addr + "/health")
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.True(t, r.Close)

	require.Equal(t, 0, p.exitCode(t, 30*time.Second), "exit code after SIGTERM")
}

func TestServe_MetricsOnAPIAddressAfterTraffic(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	base := "http://" + addr
	p := startAtlas(t, "serve", "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_HTTP_ADDR="+addr)
	waitStatus(t, base+"/health", http.StatusOK, 30*time.Second)

	resp, err := http.Post(base+"/api/v1/auth/register", "application/json",
		strings.NewReader(`{"email":"metrics@example.com","password":"correct horse battery","display_name":"M"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	resp, err = http.Get(base + "/api/v1/items/" + uuid.NewString())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	metrics := get(t, base+"/metrics")
	for _, want := range []string{
		`atlas_http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1`,
		`atlas_http_requests_total{method="GET",route="/api/v1/items/{id}",status="401"} 1`,
		`atlas_http_request_duration_seconds_bucket{method="POST",route="/api/v1/auth/register",status="201",le="+Inf"} 1`,
		`atlas_db_pool_max_connections 20`,
		`atlas_build_info{goversion="`,
	} {
		assert.Contains(t, metrics, want)
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, p.exitCode(t, 30*time.Second))
}

func TestWorker_OpsEndpointsAndSIGTERMExitsZero(t *testing.T) {
	t.Parallel()
	brokers := brokertest.Brokers(t)
	opsAddr := freeAddr(t)
	base := "http://" + opsAddr
	p := startAtlas(t, "worker", "ATLAS_DATABASE_URL="+dbtest.URL(t), "ATLAS_OPS_ADDR="+opsAddr,
		"ATLAS_KAFKA_BROKERS="+brokers,
		"ATLAS_KAFKA_TOPIC_EVENTS="+brokertest.UniqueTopic(t, brokers, 1),
		"ATLAS_KAFKA_TOPIC_DLQ="+brokertest.UniqueTopic(t, brokers, 1))
	waitStatus(t, base+"/ready", http.StatusOK, 60*time.Second)
	ready := get(t, base+"/ready")
	assert.Contains(t, ready, `"name":"postgres","status":"ok"`)
	assert.Contains(t, ready, `"name":"kafka","status":"ok"`)
	p.waitLog(t, `"msg":"worker started"`, 30*time.Second)
	metrics := get(t, base+"/metrics")
	assert.Contains(t, metrics, "atlas_db_pool_connections{state=\"idle\"}")
	assert.Contains(t, metrics, "atlas_build_info{")
	assert.Contains(t, metrics, "go_goroutines")

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, p.exitCode(t, 45*time.Second), "exit code after SIGTERM")
	assert.Contains(t, p.logs.String(), `"msg":"worker stopped"`)
	_, err := http.Get(base + "/health")
	assert.Error(t, err, "the ops listener is closed after exit")
}
