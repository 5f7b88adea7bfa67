package webhook_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Run with (the machine quiet; about a minute each at the default scale):
//
//	go test ./webhook -run '^$' -bench . -benchtime 1x
//
// Scale knobs: ATLAS_BENCH_WEBHOOK_RATE (events/s, default 100),
// ATLAS_BENCH_WEBHOOK_SECONDS (length of a phase, default 20),
// ATLAS_BENCH_WEBHOOK_ENDPOINTS (BenchmarkWebhookDeliveryLatency's
// endpoints, default 10), ATLAS_BENCH_WEBHOOK_FLEET and
// ATLAS_BENCH_WEBHOOK_FAILING (BenchmarkWebhookFailingEndpoints' endpoints
// and how many of them fail, default 1,000 and 100).

// benchWait bounds how long a phase waits, after its last write, for the
// deliveries still under way; one that never came counts as this long.
const benchWait = 30 * time.Second

// BenchmarkWebhookDeliveryLatency measures the first figure: from
// the commit of an item's write to the arrival of its ItemCreated at the
// receivers, at ATLAS_BENCH_WEBHOOK_RATE writes/s into one collection with
// ATLAS_BENCH_WEBHOOK_ENDPOINTS endpoints (each a receiver of its own), for
// ATLAS_BENCH_WEBHOOK_SECONDS. It reports the p50 and p99 of commit → first
// delivery attempt over every (event, endpoint), the achieved write rate,
// and as the baseline, measured on the same events, commit → the
// dispatcher's consumer getting the event (the outbox and Kafka's share);
// webhook_p99_ms is what the dispatcher, River and the POST add at p99.
// Target: p99 ≤ 1 s at 100 events/s to 10 endpoints.
func BenchmarkWebhookDeliveryLatency(b *testing.B) {
	rate := benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_RATE", 100)
	d := time.Duration(benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_SECONDS", 20)) * time.Second
	n := benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_ENDPOINTS", 10)
	for range b.N {
		p := newBenchPipeline(b)
		coll := p.env.NewCollection(b, p.owner).ID
		receivers := make([]*benchReceiver, n)
		for i := range receivers {
			receivers[i] = p.receiver(b, coll)
		}
		p.start(b)
		b.ResetTimer()
		ws, achieved := p.writeAt(b, rate, d, []uuid.UUID{coll})
		lat, missing := latencies(b, ws, map[uuid.UUID][]*benchReceiver{coll: receivers}, benchWait)
		b.StopTimer()
		for _, rc := range receivers {
			require.Zero(b, rc.badRequests(), "every request's signature verifies")
		}
		base := p.dispatched(ws)
		b.ReportMetric(achieved, "events/s")
		b.ReportMetric(float64(len(lat)-missing)*float64(time.Second)/float64(d), "deliveries/s")
		b.ReportMetric(pctMS(lat, 0.50), "p50_ms")
		b.ReportMetric(pctMS(lat, 0.99), "p99_ms")
		b.ReportMetric(float64(missing), "missing")
		b.ReportMetric(pctMS(base, 0.50), "to_dispatcher_p50_ms")
		b.ReportMetric(pctMS(base, 0.99), "to_dispatcher_p99_ms")
		b.ReportMetric(pctMS(lat, 0.99)-pctMS(base, 0.99), "webhook_p99_ms")
	}
}

// BenchmarkWebhookFailingEndpoints measures the second figure:
// ATLAS_BENCH_WEBHOOK_FLEET endpoints (each a receiver of its own), ten
// per collection, and writes at ATLAS_BENCH_WEBHOOK_RATE/s spread over the
// collections (so each event goes to ten endpoints). In the first phase
// every receiver answers 204; in the second, ATLAS_BENCH_WEBHOOK_FAILING of
// them (one per collection while they last) fail, half answering 500 and
// half hanging until Atlas' timeout (ATLAS_WEBHOOK_TIMEOUT, 10 s). Both
// phases measure commit → first delivery attempt at the same healthy
// receivers; delay_p99_ms is the second phase's p99 minus the first's.
// Target: ≤ 1 s. A delivery that had not arrived benchWait after the
// phase's last write counts as that long (*_missing say how many).
func BenchmarkWebhookFailingEndpoints(b *testing.B) {
	rate := benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_RATE", 100)
	d := time.Duration(benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_SECONDS", 20)) * time.Second
	fleet := benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_FLEET", 1000)
	failing := benchEnvInt(b, "ATLAS_BENCH_WEBHOOK_FAILING", 100)
	const perCollection = 10
	require.GreaterOrEqual(b, fleet, perCollection)
	require.Less(b, failing, fleet)
	for range b.N {
		p := newBenchPipeline(b)
		colls := make([]uuid.UUID, fleet/perCollection)
		healthy := map[uuid.UUID][]*benchReceiver{}
		var bad []*benchReceiver
		for i := range colls {
			colls[i] = p.env.NewCollection(b, p.owner).ID
			for j := range perCollection {
				rc := p.receiver(b, colls[i])
				// The first receiver of each collection fails, then the
				// second of each, and so on, until failing of them do.
				if j*len(colls)+i < failing {
					bad = append(bad, rc)
				} else {
					healthy[colls[i]] = append(healthy[colls[i]], rc)
				}
			}
		}
		p.start(b)
		b.ResetTimer()
		phase := func() ([]time.Duration, int, float64) {
			ws, achieved := p.writeAt(b, rate, d, colls)
			lat, missing := latencies(b, ws, healthy, benchWait)
			return lat, missing, achieved
		}
		allHealthy, missingHealthy, achievedHealthy := phase()
		for i, rc := range bad {
			rc.mode.Store(int32(answer500 + receiverMode(i%2)))
		}
		withFailing, missing, achievedFailing := phase()
		b.StopTimer()
		for _, rcs := range healthy {
			for _, rc := range rcs {
				require.Zero(b, rc.badRequests(), "every request's signature verifies")
			}
		}
		b.ReportMetric(min(achievedHealthy, achievedFailing), "events/s")
		b.ReportMetric(pctMS(allHealthy, 0.50), "healthy_p50_ms")
		b.ReportMetric(pctMS(allHealthy, 0.99), "healthy_p99_ms")
		b.ReportMetric(pctMS(withFailing, 0.50), "failing_p50_ms")
		b.ReportMetric(pctMS(withFailing, 0.99), "failing_p99_ms")
		b.ReportMetric(float64(missingHealthy), "healthy_missing")
		b.ReportMetric(float64(missing), "failing_missing")
		b.ReportMetric(pctMS(withFailing, 0.99)-pctMS(allHealthy, 0.99), "delay_p99_ms")
	}
}
