package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// receivedSpan is one span an OTLP receiver got, with the process that
// sent it (the atlas.process resource attribute).
type receivedSpan struct {
	Process      string
	Name         string
	Kind         tracepb.Span_SpanKind
	TraceID      string
	SpanID       string
	ParentSpanID string
	Links        []string // "trace/span"
	Attrs        map[string]string
}

// otlpReceiver is an in-process OTLP/HTTP trace receiver (protobuf), as an
// OpenTelemetry collector would run it.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []receivedSpan
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	req := &coltracepb.ExportTraceServiceRequest{}
	if err != nil || r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		process := ""
		for _, a := range rs.GetResource().GetAttributes() {
			if a.GetKey() == "atlas.process" {
				process = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				rcv := receivedSpan{Process: process, Name: s.GetName(), Kind: s.GetKind(),
					TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
					ParentSpanID: hex.EncodeToString(s.GetParentSpanId()), Attrs: map[string]string{}}
				for _, l := range s.GetLinks() {
					rcv.Links = append(rcv.Links, hex.EncodeToString(l.GetTraceId())+"/"+hex.EncodeToString(l.GetSpanId()))
				}
				for _, a := range s.GetAttributes() {
					rcv.Attrs[a.GetKey()] = a.GetValue().String()
				}
				o.spans = append(o.spans, rcv)
			}
		}
	}
	o.mu.Unlock()
	resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// find returns the spans that match.
func (o *otlpReceiver) find(match func(receivedSpan) bool) []receivedSpan {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []receivedSpan
	for _, s := range o.spans {
		if match(s) {
			out = append(out, s)
		}
	}
	return out
}

// eventually waits for exactly one span matching and returns it.
func (o *otlpReceiver) one(t *testing.T, what string, match func(receivedSpan) bool) receivedSpan {
	t.Helper()
	var found []receivedSpan
	require.Eventually(t, func() bool {
		found = o.find(match)
		return len(found) > 0
	}, 60*time.Second, 50*time.Millisecond, "no %s span was exported", what)
	require.Len(t, found, 1, "one %s span", what)
	return found[0]
}

// TestTracing_AWriteIsOneTraceFromRequestToOutboxAndLinkedConsumersAndJobs
// runs `atlas serve`, `atlas worker` and `atlas audit-consumer` exporting
// to an in-process OTLP receiver, creates an item with a traceparent, and
// follows it: the request's server span continues the caller's trace, the
// River insert of its enrichment job and the outbox publish of its
// ItemCreated are children of that span, the job's span links to its
// insert, and the audit consumer's batch span links to the publish span
// (the record's traceparent header). The serve process logs in Cloud
// Logging's format, the request line carrying the trace and httpRequest.
func TestTracing_AWriteIsOneTraceFromRequestToOutboxAndLinkedConsumersAndJobs(t *testing.T) {
	t.Parallel()
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	t.Cleanup(collector.Close)

	dbURL := dbtest.URL(t)
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 3)
	common := []string{"ATLAS_DATABASE_URL=" + dbURL, "ATLAS_KAFKA_BROKERS=" + brokers,
		"ATLAS_KAFKA_TOPIC_EVENTS=" + topic, "ATLAS_KAFKA_TOPIC_DLQ=" + topic + ".dlq",
		"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS=" + topic + ".checkpoints",
		"ATLAS_OTEL_EXPORTER_OTLP_ENDPOINT=" + collector.URL, "ATLAS_RECONCILE_INTERVAL=0s"}
	addr := freeAddr(t)
	serve := startAtlas(t, "serve", append(common, "ATLAS_HTTP_ADDR="+addr, "ATLAS_OPS_ADDR=off",
		"ATLAS_LOG_FORMAT=gcp", "ATLAS_GCP_PROJECT=atlas-test")...)
	worker := startAtlas(t, "worker", append(common, "ATLAS_OPS_ADDR="+freeAddr(t))...)
	audit := startAtlas(t, "audit-consumer", append(common, "ATLAS_OPS_ADDR="+freeAddr(t))...)
	base := "http://" + addr
	waitStatus(t, base+"/health", http.StatusOK, 60*time.Second)
	worker.waitLog(t, `"msg":"worker started"`, 60*time.Second)
	audit.waitLog(t, `"msg":"consumer started"`, 60*time.Second)

	token := registerAndLogin(t, base)
	var coll struct{ ID string }
	call(t, http.MethodPost, base+"/api/v1/collections", token, "", `{"name":"Traced"}`, http.StatusCreated, &coll)
	caller := uuid.New()
	traceID, callerSpan := hex.EncodeToString(caller[:]), "00f067aa0ba902b7"
	var it struct{ ID string }
	call(t, http.MethodPost, base+"/api/v1/collections/"+coll.ID+"/items", token, "00-"+traceID+"-"+callerSpan+"-01",
		`{"title":"Traced item","source_url":"https://example.invalid/traced"}`, http.StatusCreated, &it)

	server := rcv.one(t, "server", func(s receivedSpan) bool {
		return s.TraceID == traceID && s.Kind == tracepb.Span_SPAN_KIND_SERVER
	})
	assert.Equal(t, "serve", server.Process)
	assert.Equal(t, "POST /api/v1/collections/{id}/items", server.Name)
	assert.Equal(t, callerSpan, server.ParentSpanID, "the server span continues the caller's trace")

	publish := rcv.one(t, "outbox publish", func(s receivedSpan) bool {
		return s.Kind == tracepb.Span_SPAN_KIND_PRODUCER && s.TraceID == traceID && strings.HasPrefix(s.Name, "publish ")
	})
	assert.Equal(t, "worker", publish.Process)
	assert.Equal(t, server.SpanID, publish.ParentSpanID, "the publish span is a child of the request's span")
	assert.Contains(t, publish.Attrs["atlas.event.type"], "ItemCreated")

	consumed := rcv.one(t, "audit consumer batch", func(s receivedSpan) bool {
		return s.Kind == tracepb.Span_SPAN_KIND_CONSUMER && s.Process == "audit-consumer" &&
			containsString(s.Links, publish.TraceID+"/"+publish.SpanID)
	})
	assert.Equal(t, "process atlas-audit", consumed.Name)

	insert := rcv.one(t, "River insert", func(s receivedSpan) bool {
		return s.Process == "serve" && s.TraceID == traceID && strings.HasPrefix(s.Name, "river.insert")
	})
	assert.Equal(t, server.SpanID, insert.ParentSpanID, "the job is enqueued inside the request's span")
	rcv.one(t, "enrichment job", func(s receivedSpan) bool {
		return s.Process == "worker" && strings.HasPrefix(s.Name, "river.work") &&
			containsString(s.Links, insert.TraceID+"/"+insert.SpanID)
	})

	// The request's access log line, in Cloud Logging's structured form.
	var line map[string]any
	require.Eventually(t, func() bool {
		for _, l := range strings.Split(serve.logs.String(), "\n") {
			if strings.Contains(l, `"route":"/api/v1/collections/{id}/items"`) && strings.Contains(l, traceID) {
				return json.Unmarshal([]byte(l), &line) == nil
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "no access log line for the traced request")
	assert.Equal(t, "INFO", line["severity"])
	assert.Equal(t, "request", line["message"])
	assert.Equal(t, "projects/atlas-test/traces/"+traceID, line["logging.googleapis.com/trace"])
	assert.Equal(t, server.SpanID, line["logging.googleapis.com/spanId"])
	req, _ := line["httpRequest"].(map[string]any)
	require.NotNil(t, req, "httpRequest in %v", line)
	assert.Equal(t, "POST", req["requestMethod"])
	assert.EqualValues(t, http.StatusCreated, req["status"])
	assert.Equal(t, "/api/v1/collections/"+coll.ID+"/items", req["requestUrl"])
	assert.Regexp(t, `^[0-9]+\.[0-9]{9}s$`, req["latency"])
	assert.NotContains(t, line, "level", "Cloud Logging reads severity, not level")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// registerAndLogin makes a user over the API and returns an access token.
func registerAndLogin(t testing.TB, base string) string {
	t.Helper()
	email := fmt.Sprintf("trace-%s@example.com", uuid.NewString()[:8])
	creds := fmt.Sprintf(`{"email":%q,"password":"correct horse battery","display_name":"Tracer"}`, email)
	call(t, http.MethodPost, base+"/api/v1/auth/register", "", "", creds, http.StatusCreated, nil)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	call(t, http.MethodPost, base+"/api/v1/auth/login", "", "",
		fmt.Sprintf(`{"email":%q,"password":"correct horse battery"}`, email), http.StatusOK, &login)
	require.NotEmpty(t, login.AccessToken)
	return login.AccessToken
}

// call sends one JSON request and decodes the answer into out.
func call(t testing.TB, method, url, token, traceparent, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", method, url, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out))
	}
}
