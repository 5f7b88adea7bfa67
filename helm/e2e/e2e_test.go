//go:build k8se2e

// Package e2e installs the Helm chart on the local Kubernetes cluster of
// scripts/k8s and drives the running release as a user and an operator would:
// through the API Service, with pods deleted and a rolling upgrade under
// traffic. It runs only through `scripts/k8s e2e`, which starts the cluster,
// the services the pods use and passes their addresses in ATLAS_K8S_*.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	namespace = "atlas-e2e"
	release   = "atlas-e2e"
)

// env is what scripts/k8s hands the test.
type env struct {
	kubeconfig, helm, bin, image, chart string
	// host:port of the services on the pod bridge, and an admin URL for the host.
	postgres, kafka, elasticsearch string
	adminDatabaseURL               string
}

func loadEnv(t *testing.T) env {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv(k)
		require.NotEmpty(t, v, "%s is not set: run this test through scripts/k8s e2e", k)
		return v
	}
	return env{
		kubeconfig: get("ATLAS_K8S_KUBECONFIG"), helm: get("ATLAS_K8S_HELM"), bin: get("ATLAS_K8S_BIN"),
		image: get("ATLAS_K8S_IMAGE"), chart: get("ATLAS_K8S_CHART"),
		postgres: get("ATLAS_K8S_POSTGRES"), adminDatabaseURL: get("ATLAS_K8S_ADMIN_DATABASE_URL"),
		kafka: get("ATLAS_K8S_KAFKA"), elasticsearch: get("ATLAS_K8S_ELASTICSEARCH"),
	}
}

// run runs a command and returns its standard output, failing the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runErr(name, args...)
	require.NoError(t, err, "%s %s", name, strings.Join(args, " "))
	return out
}

func runErr(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func (e env) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, e.bin+"/kubectl", append([]string{"--kubeconfig", e.kubeconfig}, args...)...)
}

func (e env) helmRun(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, e.helm, append([]string{"--kubeconfig", e.kubeconfig, "--namespace", namespace}, args...)...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// externalServices gives the services on the host Service names in the
// release's namespace (a Service without selector and its Endpoints), so the
// pods reach them as postgres:5432, kafka:9092 and elasticsearch:9200 through
// the cluster DNS, as they would reach managed services.
func externalServices(t *testing.T, e env) {
	t.Helper()
	var docs []string
	for _, s := range []struct {
		name, addr string
		port       string
	}{
		{"postgres", e.postgres, "5432"}, {"kafka", e.kafka, "9092"}, {"elasticsearch", e.elasticsearch, "9200"},
	} {
		ip, port, ok := strings.Cut(s.addr, ":")
		require.True(t, ok, "address %q", s.addr)
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: %[4]s}
spec:
  ports: [{name: main, port: %[5]s, targetPort: %[3]s}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: %[1]s, namespace: %[4]s}
subsets:
  - addresses: [{ip: %[2]s}]
    ports: [{name: main, port: %[3]s}]`, s.name, ip, port, namespace, s.port))
	}
	f := t.TempDir() + "/external.yaml"
	require.NoError(t, os.WriteFile(f, []byte(strings.Join(docs, "\n---\n")), 0o600))
	e.kubectl(t, "apply", "-f", f)
}

// freshDatabase creates a database for this run, drops it at the end, and
// returns its URL as the pods see it.
func freshDatabase(t *testing.T, e env) string {
	t.Helper()
	name := "atlas_k8s_" + randomHex(4)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.adminDatabaseURL)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = conn.Close(context.Background())
	})
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" OWNER atlas")
	require.NoError(t, err)
	return "postgres://atlas:atlas@postgres:5432/" + name + "?sslmode=disable"
}

// values writes the release's values: the local image, the services on the
// pod bridge, fresh topics, and settings a test client needs.
func values(t *testing.T, e env, dbURL, run, jwtSecret, logLevel string) string {
	t.Helper()
	image := map[string]any{"pullPolicy": "Never"}
	if repo, digest, ok := strings.Cut(e.image, "@"); ok {
		image["repository"], image["digest"] = repo, digest
	} else {
		repo, tag, ok := strings.Cut(e.image, ":")
		require.True(t, ok, "image %q has neither digest nor tag", e.image)
		image["repository"], image["tag"] = repo, tag
	}
	v := map[string]any{
		"image": image,
		"config": map[string]any{
			"logLevel":  logLevel,
			"rateLimit": map[string]any{"enabled": true, "authPerMinute": 1000, "userPerMinute": 100000},
			// The local Postgres on the pod bridge has no TLS; production refuses that unless told
			// the network is trusted (config/secured.go).
			"extraEnv": map[string]any{"ATLAS_DATABASE_ALLOW_PLAINTEXT": "true"},
		},
		"kafka": map[string]any{"brokers": "kafka:9092", "topics": map[string]any{
			"events": "atlas.k8se2e." + run + ".events", "deadLetter": "atlas.k8se2e." + run + ".dlq"}},
		"elasticsearch":  map[string]any{"url": "http://elasticsearch:9200"},
		"secret":         map[string]any{"databaseUrl": dbURL, "jwtSecret": jwtSecret},
		"topologySpread": map[string]any{"enabled": false},
		"api": map[string]any{"ingress": map[string]any{"enabled": true, "hosts": []any{
			map[string]any{"host": "atlas.k8s.test", "paths": []any{map[string]any{"path": "/", "pathType": "Prefix"}}}}}},
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	f := t.TempDir() + "/values.json"
	require.NoError(t, os.WriteFile(f, b, 0o600))
	return f
}

// TestChart_InstalledReleaseServesUsersAndSurvivesPodLossAndUpgrades is the
// chart's end-to-end story on a real cluster.
func TestChart_InstalledReleaseServesUsersAndSurvivesPodLossAndUpgrades(t *testing.T) {
	e := loadEnv(t)
	_, _ = runErr(e.helm, "--kubeconfig", e.kubeconfig, "--namespace", namespace, "uninstall", release, "--wait")
	_, _ = runErr(e.bin+"/kubectl", "--kubeconfig", e.kubeconfig, "delete", "namespace", namespace, "--wait=true")
	e.kubectl(t, "create", "namespace", namespace)
	t.Cleanup(func() {
		_, _ = runErr(e.bin+"/kubectl", "--kubeconfig", e.kubeconfig, "delete", "namespace", namespace, "--wait=true")
	})
	externalServices(t, e)
	dbURL := freshDatabase(t, e)
	runID, jwtSecret := randomHex(3), randomHex(32)

	// Install: the migration hook Job runs first, then every Deployment must
	// become Ready (helm --wait).
	start := time.Now()
	e.helmRun(t, "install", release, e.chart, "-f", values(t, e, dbURL, runID, jwtSecret, "info"), "--wait", "--timeout", "6m")
	t.Logf("install: every Deployment ready %.0f s after helm install started", time.Since(start).Seconds())
	for _, c := range []string{"api", "worker", "audit-consumer", "indexer"} {
		out := e.kubectl(t, "-n", namespace, "get", "deployment", release+"-"+c, "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas}")
		parts := strings.Split(out, "/")
		require.Len(t, parts, 2)
		assert.Equal(t, parts[1], parts[0], "deployment %s ready replicas", c)
	}
	assertMigrationsRan(t, e, dbURL)

	api := newClient(t, "http://"+serviceAddr(t, e))
	user := api.signUp(t)
	coll := user.createCollection(t, "k8s e2e")

	// The whole pipeline runs in pods: API → outbox → worker → Kafka →
	// audit consumer and indexer.
	first := user.createItem(t, coll, "kubernetes end to end "+runID)
	user.waitAudited(t, first, 60*time.Second)
	user.waitSearchable(t, runID, first, 60*time.Second)

	checkIngressRoutesToTheAPI(t, e)
	checkOpsEndpoints(t, e)
	checkPodsRunAsNonRootOnReadOnlyRoot(t, e)

	// Pod loss mid-traffic: writes acknowledged while an API pod and a
	// worker pod are deleted must all be in Postgres and reach the audit trail.
	w := startWriter(t, user, coll)
	time.Sleep(2 * time.Second)
	e.kubectl(t, "-n", namespace, "delete", "pod", firstPod(t, e, "api"), "--wait=false")
	e.kubectl(t, "-n", namespace, "delete", "pod", firstPod(t, e, "worker"), "--wait=false")
	time.Sleep(10 * time.Second)
	e.kubectl(t, "-n", namespace, "rollout", "status", "deployment/"+release+"-api", "--timeout=120s")
	e.kubectl(t, "-n", namespace, "rollout", "status", "deployment/"+release+"-worker", "--timeout=120s")
	time.Sleep(2 * time.Second)
	acked, failed := w.stop()
	t.Logf("pod loss: %d writes acknowledged, %d failed while an API pod and a worker pod were deleted", len(acked), failed)
	require.NotEmpty(t, acked)
	for _, id := range acked {
		user.mustGetItem(t, id)
	}
	for _, id := range acked {
		user.waitAudited(t, id, 60*time.Second)
	}

	// Rolling upgrade with a changed config: a client reading and writing
	// throughout sees no failed request.
	w = startWriter(t, user, coll)
	e.helmRun(t, "upgrade", release, e.chart, "-f", values(t, e, dbURL, runID, jwtSecret, "debug"), "--wait", "--timeout", "6m")
	for _, c := range []string{"api", "worker", "audit-consumer", "indexer"} {
		e.kubectl(t, "-n", namespace, "rollout", "status", "deployment/"+release+"-"+c, "--timeout=120s")
	}
	time.Sleep(3 * time.Second)
	acked, failed = w.stop()
	t.Logf("rolling upgrade: %d writes acknowledged, %d failed", len(acked), failed)
	assert.Zero(t, failed, "requests failed during the rolling update")
	cm := e.kubectl(t, "-n", namespace, "get", "configmap", release+"-config", "-o", "jsonpath={.data.ATLAS_LOG_LEVEL}")
	assert.Equal(t, "debug", cm, "the upgrade changed the config")
	for _, id := range acked {
		user.waitAudited(t, id, 60*time.Second)
	}

	// Uninstall leaves nothing of the release behind.
	e.helmRun(t, "uninstall", release, "--wait", "--timeout", "3m")
	var left string
	assert.Eventually(t, func() bool {
		left = strings.TrimSpace(e.kubectl(t, "-n", namespace, "get", "all,configmap,secret,serviceaccount,pdb,job",
			"-l", "app.kubernetes.io/instance="+release, "-o", "name"))
		return left == ""
	}, 90*time.Second, time.Second, "objects left after helm uninstall (and its pods' grace period)")
	if left != "" {
		t.Logf("left after uninstall: %s", left)
	}
}

func assertMigrationsRan(t *testing.T, e env, dbURL string) {
	t.Helper()
	name := strings.TrimPrefix(dbURL[strings.LastIndex(dbURL, "/"):strings.Index(dbURL, "?")], "/")
	conn, err := pgx.Connect(context.Background(), strings.Replace(e.adminDatabaseURL, "/postgres?", "/"+name+"?", 1))
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count(*) FROM information_schema.tables WHERE table_name IN ('users','items','audit_events','river_job')").Scan(&n))
	assert.Equal(t, 4, n, "the migration hook created the schema")
}

func serviceAddr(t *testing.T, e env) string {
	t.Helper()
	out := e.kubectl(t, "-n", namespace, "get", "service", release+"-api", "-o", "jsonpath={.spec.clusterIP}:{.spec.ports[0].port}")
	require.NotEmpty(t, out)
	return out
}

func firstPod(t *testing.T, e env, component string) string {
	t.Helper()
	out := e.kubectl(t, "-n", namespace, "get", "pods", "-l", "app.kubernetes.io/component="+component,
		"--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}")
	require.NotEmpty(t, out, "no running %s pod", component)
	return out
}

// podList is the part of `kubectl get pods -o json` the checks read.
type podList struct {
	Items []struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			SecurityContext struct {
				RunAsNonRoot *bool `json:"runAsNonRoot"`
			} `json:"securityContext"`
			Containers []struct {
				Name            string `json:"name"`
				SecurityContext struct {
					RunAsNonRoot           *bool `json:"runAsNonRoot"`
					ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem"`
				} `json:"securityContext"`
			} `json:"containers"`
		} `json:"spec"`
		Status struct {
			PodIP             string `json:"podIP"`
			ContainerStatuses []struct {
				Name        string `json:"name"`
				ContainerID string `json:"containerID"`
			} `json:"containerStatuses"`
		} `json:"status"`
	} `json:"items"`
}

func pods(t *testing.T, e env) podList {
	t.Helper()
	var l podList
	require.NoError(t, json.Unmarshal([]byte(e.kubectl(t, "-n", namespace, "get", "pods",
		"-l", "app.kubernetes.io/instance="+release, "--field-selector=status.phase=Running", "-o", "json")), &l))
	require.NotEmpty(t, l.Items)
	return l
}

// checkIngressRoutesToTheAPI verifies the Ingress object against the API
// Service: no ingress controller can be built here within the limits, so the
// test checks that every path's backend is the API Service, by a port name the
// Service has, and that the Service has ready endpoints behind it.
func checkIngressRoutesToTheAPI(t *testing.T, e env) {
	t.Helper()
	var ing struct {
		Spec struct {
			Rules []struct {
				Host string `json:"host"`
				HTTP struct {
					Paths []struct {
						Backend struct {
							Service struct {
								Name string `json:"name"`
								Port struct {
									Name string `json:"name"`
								} `json:"port"`
							} `json:"service"`
						} `json:"backend"`
					} `json:"paths"`
				} `json:"http"`
			} `json:"rules"`
		} `json:"spec"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.kubectl(t, "-n", namespace, "get", "ingress", release+"-api", "-o", "json")), &ing))
	require.NotEmpty(t, ing.Spec.Rules)
	ports := e.kubectl(t, "-n", namespace, "get", "service", release+"-api", "-o", "jsonpath={.spec.ports[*].name}")
	for _, r := range ing.Spec.Rules {
		require.NotEmpty(t, r.HTTP.Paths, "rule %s has no paths", r.Host)
		for _, p := range r.HTTP.Paths {
			assert.Equal(t, release+"-api", p.Backend.Service.Name, "ingress backend service")
			assert.Contains(t, strings.Fields(ports), p.Backend.Service.Port.Name, "ingress backend port is one of the Service's")
		}
	}
	ready := e.kubectl(t, "-n", namespace, "get", "endpointslices", "-l", "kubernetes.io/service-name="+release+"-api",
		"-o", "jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}")
	assert.GreaterOrEqual(t, len(strings.Fields(ready)), 2, "the API Service has ready endpoints")
}

// checkOpsEndpoints reads /ready and /metrics of every pod on its ops port.
func checkOpsEndpoints(t *testing.T, e env) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range pods(t, e).Items {
		comp := p.Metadata.Labels["app.kubernetes.io/component"]
		base := "http://" + p.Status.PodIP + ":9464"
		status, body := get(t, base+"/ready")
		assert.Equal(t, http.StatusOK, status, "%s %s /ready: %s", comp, p.Metadata.Name, body)
		status, body = get(t, base+"/metrics")
		assert.Equal(t, http.StatusOK, status, "%s /metrics", comp)
		assert.Contains(t, body, "go_goroutines", "%s /metrics is Prometheus text", comp)
		seen[comp] = true
	}
	for _, c := range []string{"api", "worker", "audit-consumer", "indexer"} {
		assert.True(t, seen[c], "no running %s pod was checked", c)
	}
}

// checkPodsRunAsNonRootOnReadOnlyRoot checks the pod specs and, on the host,
// the real processes: their user id and their root mount.
func checkPodsRunAsNonRootOnReadOnlyRoot(t *testing.T, e env) {
	t.Helper()
	for _, p := range pods(t, e).Items {
		for _, c := range p.Spec.Containers {
			sc := c.SecurityContext
			assert.True(t, sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, "%s/%s readOnlyRootFilesystem", p.Metadata.Name, c.Name)
			assert.True(t, (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (p.Spec.SecurityContext.RunAsNonRoot != nil && *p.Spec.SecurityContext.RunAsNonRoot),
				"%s/%s runAsNonRoot", p.Metadata.Name, c.Name)
		}
		for _, cs := range p.Status.ContainerStatuses {
			id := strings.TrimPrefix(cs.ContainerID, "containerd://")
			pid := strings.TrimSpace(run(t, e.bin+"/crictl", "--runtime-endpoint", "unix:///run/atlas-k8s/containerd.sock",
				"inspect", "--output", "go-template", "--template", "{{.info.pid}}", id))
			status, err := os.ReadFile("/proc/" + pid + "/status")
			require.NoError(t, err)
			assert.Regexp(t, `(?m)^Uid:\s+65532\s`, string(status), "%s/%s runs as uid 65532", p.Metadata.Name, cs.Name)
			mounts, err := os.ReadFile("/proc/" + pid + "/mounts")
			require.NoError(t, err)
			var root string
			for _, l := range strings.Split(string(mounts), "\n") {
				if f := strings.Fields(l); len(f) >= 4 && f[1] == "/" {
					root = f[3]
				}
			}
			assert.True(t, strings.HasPrefix(root, "ro"), "%s/%s root filesystem mounted %q", p.Metadata.Name, cs.Name, root)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err, url)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// client talks to the API.
type client struct {
	base, token string
	http        *http.Client
}

func newClient(t *testing.T, base string) *client {
	return &client{base: base, http: &http.Client{Timeout: 10 * time.Second}}
}

func (c *client) do(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

func (c *client) signUp(t *testing.T) *client {
	t.Helper()
	email := "k8s-" + randomHex(4) + "@example.com"
	_, err := c.do("POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "correct horse battery", "display_name": "K8s"}, nil)
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_, err = c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "correct horse battery"}, &tok)
	require.NoError(t, err)
	return &client{base: c.base, token: tok.AccessToken, http: c.http}
}

func (c *client) createCollection(t *testing.T, name string) string {
	t.Helper()
	var out struct{ ID string }
	_, err := c.do("POST", "/api/v1/collections", map[string]string{"name": name}, &out)
	require.NoError(t, err)
	return out.ID
}

func (c *client) createItem(t *testing.T, coll, title string) string {
	t.Helper()
	id, err := c.tryCreateItem(coll, title)
	require.NoError(t, err)
	return id
}

func (c *client) tryCreateItem(coll, title string) (string, error) {
	var out struct{ ID string }
	_, err := c.do("POST", "/api/v1/collections/"+coll+"/items", map[string]any{"title": title, "tags": []string{"k8s"}}, &out)
	return out.ID, err
}

func (c *client) mustGetItem(t *testing.T, id string) {
	t.Helper()
	_, err := c.do("GET", "/api/v1/items/"+id, nil, nil)
	require.NoError(t, err, "acknowledged item %s is not in Postgres", id)
}

func (c *client) waitAudited(t *testing.T, id string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		var out struct {
			Items []struct {
				Type string `json:"type"`
			} `json:"items"`
		}
		if _, err := c.do("GET", "/api/v1/audit?entity_type=item&entity_id="+id, nil, &out); err != nil {
			return false
		}
		for _, ev := range out.Items {
			if ev.Type == "ItemCreated" {
				return true
			}
		}
		return false
	}, within, 500*time.Millisecond, "item %s has no ItemCreated audit row", id)
}

func (c *client) waitSearchable(t *testing.T, q, id string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		var out struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if _, err := c.do("GET", "/api/v1/search/items?q="+q, nil, &out); err != nil {
			return false
		}
		for _, it := range out.Items {
			if it.ID == id {
				return true
			}
		}
		return false
	}, within, 500*time.Millisecond, "item %s is not searchable", id)
}

// writer creates items (and reads the list) in a loop until stopped,
// recording the ids the API acknowledged and the requests that failed.
type writer struct {
	stopOnce sync.Once
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	acked    []string
	failed   atomic.Int64
	errs     []string
}

func startWriter(t *testing.T, c *client, coll string) *writer {
	w := &writer{done: make(chan struct{})}
	for g := 0; g < 2; g++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			deadline := time.Now().Add(10 * time.Minute) // bounded even if never stopped
			for n := 0; time.Now().Before(deadline); n++ {
				select {
				case <-w.done:
					return
				default:
				}
				id, err := c.tryCreateItem(coll, fmt.Sprintf("load %d-%d", g, n))
				if err == nil {
					_, err = c.do("GET", "/api/v1/collections/"+coll+"/items?limit=5", nil, nil)
				}
				w.mu.Lock()
				if id != "" {
					w.acked = append(w.acked, id)
				}
				if err != nil {
					w.failed.Add(1)
					if len(w.errs) < 5 {
						w.errs = append(w.errs, err.Error())
					}
				}
				w.mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	t.Cleanup(func() { w.stop() })
	return w
}

func (w *writer) stop() ([]string, int) {
	w.stopOnce.Do(func() { close(w.done) })
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.errs {
		fmt.Fprintln(os.Stderr, "writer error:", e)
	}
	return append([]string(nil), w.acked...), int(w.failed.Load())
}
