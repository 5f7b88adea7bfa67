package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// secureWorkerEnv is the environment of `atlas worker` against the secured
// broker, with topics of its own; more overrides the Kafka security.
func secureWorkerEnv(t *testing.T, s brokertest.SecureBroker, more ...string) []string {
	t.Helper()
	return append([]string{"ATLAS_DATABASE_URL=" + dbtest.URL(t), "ATLAS_OPS_ADDR=" + freeAddr(t),
		"ATLAS_KAFKA_BROKERS=" + s.Brokers, "ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL", "ATLAS_KAFKA_CA_FILE=" + s.CAFile,
		"ATLAS_KAFKA_TOPIC_EVENTS=secure.events." + uuid.NewString()[:8],
		"ATLAS_KAFKA_TOPIC_DLQ=secure.dlq." + uuid.NewString()[:8]}, more...)
}

func opsBase(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ATLAS_OPS_ADDR="); ok {
			return "http://" + v
		}
	}
	return ""
}

// TestWorker_SecuredKafkaFromTheEnvironment starts `atlas worker` against the
// SASL_SSL broker with PLAIN (the password from a file) and with OAUTHBEARER
// (unsecured JWTs): it gets ready and stops cleanly.
func TestWorker_SecuredKafkaFromTheEnvironment(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	pw := filepath.Join(t.TempDir(), "kafka-password")
	require.NoError(t, os.WriteFile(pw, []byte(s.Password+"\n"), 0o600))
	for name, sasl := range map[string][]string{
		"plain": {"ATLAS_KAFKA_SASL_MECHANISM=PLAIN", "ATLAS_KAFKA_SASL_USERNAME=" + s.Username, "ATLAS_KAFKA_SASL_PASSWORD_FILE=" + pw},
		"oauthbearer": {"ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER", "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt",
			"ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL=atlas-worker"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := secureWorkerEnv(t, s, sasl...)
			p := startAtlas(t, "worker", env...)
			waitStatus(t, opsBase(env)+"/ready", http.StatusOK, 60*time.Second)
			assert.Contains(t, get(t, opsBase(env)+"/ready"), `"name":"kafka","status":"ok"`)
			p.waitLog(t, `"msg":"worker started"`, 30*time.Second)
			require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
			require.Equal(t, 0, p.exitCode(t, 45*time.Second), "exit code after SIGTERM")
		})
	}
}

// TestWorker_RefusedByKafkaStopsAtOnceWithOneLine: wrong credentials or an
// untrusted certificate end the start-up within seconds, with one line that
// says why (and never the password).
func TestWorker_RefusedByKafkaStopsAtOnceWithOneLine(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	plain := []string{"ATLAS_KAFKA_SASL_MECHANISM=PLAIN", "ATLAS_KAFKA_SASL_USERNAME=" + s.Username}
	for name, tc := range map[string]struct {
		env    []string
		reason string
	}{
		"wrong password": {append(plain, "ATLAS_KAFKA_SASL_PASSWORD="+s.Password+"-wrong"),
			"SASL authentication error: Authentication failed: Invalid username or password"},
		"untrusted certificate": {append(plain, "ATLAS_KAFKA_SASL_PASSWORD="+s.Password, "ATLAS_KAFKA_CA_FILE="+s.OtherCAFile),
			"certificate verify failed"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			p := startAtlas(t, "worker", secureWorkerEnv(t, s, tc.env...)...)
			require.Equal(t, 1, p.exitCode(t, 30*time.Second))
			assert.Less(t, time.Since(start), 15*time.Second, "a refused client must not wait for a timeout")
			out := strings.TrimRight(p.logs.String(), "\n")
			last := out[strings.LastIndex(out, "\n")+1:]
			assert.True(t, strings.HasPrefix(last, "atlas worker: kafka topics: ensure topics on "+s.Brokers+": kafka authentication failed: "), last)
			assert.Contains(t, last, tc.reason)
			assert.NotContains(t, out, s.Password+"-wrong")
			assert.NotContains(t, out, "%3|", "librdkafka's own log lines do not reach stderr")
		})
	}
}
