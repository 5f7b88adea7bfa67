package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events/broker/brokertest"
	"github.com/atlasapp/atlas/item/itemtest"
	"github.com/atlasapp/atlas/search/searchtest"
)

// Run with (takes the whole machine for about four minutes):
//
//	go test ./cmd/atlas -run '^$' -bench ImportEveryProcess -benchtime 1x
//
// BenchmarkImportEveryProcess measures the import's targets on the whole
// system as it runs in production: `atlas serve`, `worker`, `indexer` and
// `audit-consumer` are separate processes on the real Postgres, Kafka and
// Elasticsearch, the file is uploaded over HTTP and the IMPORT_BOOKMARKS job
// runs in the worker while the outbox is drained to Kafka, the indexer and
// the audit consumer take every ItemCreated and the worker tries every
// link's enrichment. It reports
//   - s-import: from the upload to the import's finished_at;
//   - s-to-searchable: from finished_at until a search of the collection
//     counts every item;
//   - the p99 of GET /collections/{id}/items (another collection of 50
//     items) idle, while the import runs and afterwards while the index
//     catches up, and the import-to-idle ratio.
func BenchmarkImportEveryProcess(b *testing.B) {
	// The interactive requests are paced as people's clicks come (one
	// every 20 ms, each timed from when it was due, so a slow answer delays
	// the next one's clock too), or sent back to back, which measures the
	// import against a client that takes a core to itself. Each runs on
	// fresh processes and a fresh database: an import's enrichment retries
	// would otherwise still be running while the next idle figure is taken.
	//
	// The background processes run as compose.yml runs them on one host:
	// with GOMAXPROCS=1, so that they leave a core to the API, and with
	// cpu_shares 128, so that when the CPU is short the API's threads come
	// first (withCPUShares; it needs root). "paced-equal-cpu-shares" and
	// "paced-background-on-every-core" show what each setting is worth.
	b.Run("paced", func(b *testing.B) { benchImportEveryProcess(b, 20*time.Millisecond, 1000, "1", backgroundShares) })
	b.Run("back-to-back", func(b *testing.B) { benchImportEveryProcess(b, 0, 3000, "1", backgroundShares) })
	b.Run("paced-equal-cpu-shares", func(b *testing.B) { benchImportEveryProcess(b, 20*time.Millisecond, 1000, "1", 0) })
	b.Run("paced-background-on-every-core", func(b *testing.B) {
		benchImportEveryProcess(b, 20*time.Millisecond, 1000, "", backgroundShares)
	})
}

// backgroundShares is compose.yml's cpu_shares of the worker, indexer and
// audit consumer.
const backgroundShares = 128

// benchImportEveryProcess is BenchmarkImportEveryProcess with the idle
// figure taken over idleGets requests, one every every, and the worker,
// indexer and audit consumer run with GOMAXPROCS=bgProcs (unless empty)
// and, unless shares is zero, in a cgroup weighing shares.
func benchImportEveryProcess(b *testing.B, every time.Duration, idleGets int, bgProcs string, shares int) {
	file := itemtest.BookmarkFile(10_000)
	brokers := brokertest.Brokers(b)
	topic := brokertest.UniqueTopic(b, brokers, 3)
	// An index of its own, so that every run starts from an empty one (it
	// is deleted when the run ends, after the processes have stopped).
	alias := searchtest.Alias(b)
	searchtest.Open(b, searchtest.Options(alias))
	common := []string{"ATLAS_ELASTICSEARCH_ALIAS=" + alias, "ATLAS_DATABASE_URL=" + dbtest.URL(b), "ATLAS_KAFKA_BROKERS=" + brokers,
		"ATLAS_KAFKA_TOPIC_EVENTS=" + topic, "ATLAS_KAFKA_TOPIC_DLQ=" + topic + ".dlq",
		"ATLAS_KAFKA_TOPIC_AUDIT_CHECKPOINTS=" + topic + ".checkpoints",
		"ATLAS_ELASTICSEARCH_URL=" + searchtest.URL(), "ATLAS_RECONCILE_INTERVAL=0s",
		// One user sends every request here, thousands a minute.
		"ATLAS_RATE_LIMIT_USER_PER_MINUTE=1000000"}
	addr := freeAddr(b)
	startAtlas(b, "serve", append(common, "ATLAS_HTTP_ADDR="+addr, "ATLAS_OPS_ADDR=off")...)
	background := slices.Clone(common)
	if bgProcs != "" {
		background = append(background, "GOMAXPROCS="+bgProcs)
	}
	worker := startAtlas(b, "worker", append(background, "ATLAS_OPS_ADDR="+freeAddr(b))...)
	indexer := startAtlas(b, "indexer", append(background, "ATLAS_OPS_ADDR="+freeAddr(b))...)
	audit := startAtlas(b, "audit-consumer", append(background, "ATLAS_OPS_ADDR="+freeAddr(b))...)
	if shares > 0 {
		withCPUShares(b, shares, worker, indexer, audit)
	}
	base := "http://" + addr
	waitStatus(b, base+"/health", http.StatusOK, 60*time.Second)
	worker.waitLog(b, `"msg":"worker started"`, 60*time.Second)
	audit.waitLog(b, `"msg":"consumer started"`, 60*time.Second)
	indexer.waitLog(b, `"msg":"indexer started"`, 60*time.Second)

	token := registerAndLogin(b, base)
	var busy struct{ ID string }
	call(b, http.MethodPost, base+"/api/v1/collections", token, "", `{"name":"Busy"}`, http.StatusCreated, &busy)
	for i := range 50 {
		call(b, http.MethodPost, base+"/api/v1/collections/"+busy.ID+"/items", token, "",
			fmt.Sprintf(`{"title":"Busy item %d","source_url":"https://busy.example/%d"}`, i, i), http.StatusCreated, nil)
	}
	require.NoError(b, waitSearchable(base, token, busy.ID, 50, time.Minute)) // the 50 writes' events have settled
	list := base + "/api/v1/collections/" + busy.ID + "/items"
	// The 50 links' enrichments fail (no DNS here) and are retried at first;
	// the idle figure is taken once they have backed off.
	time.Sleep(10 * time.Second)

	for i := 0; i < b.N; i++ {
		r := importUnderLoad(b, base, token, file, list, every, idleGets, fmt.Sprintf("Imported %d", i))
		b.Logf("the import ran from %.3f to %.3f (Unix seconds)", float64(r.start.UnixMilli())/1000, float64(r.finished.UnixMilli())/1000)
		b.ReportMetric(r.finished.Sub(r.start).Seconds(), "s-import")
		b.ReportMetric(r.searchable.Sub(r.finished).Seconds(), "s-to-searchable")
		b.ReportMetric(ms(r.idle.p99), "ms-p99-idle")
		b.ReportMetric(ms(r.during.p99), "ms-p99-importing")
		b.ReportMetric(ms(r.after.p99), "ms-p99-indexing")
		b.ReportMetric(float64(r.during.p99)/float64(r.idle.p99), "ratio-importing")
		b.ReportMetric(float64(r.during.n), "gets-importing")
	}
}

type underLoad struct {
	start, finished, searchable time.Time
	idle, during, after         latencies
}

// importUnderLoad times idle GETs of list (n of them, one every every),
// uploads file into a new collection and times the GETs until the import
// has finished and then until every item is searchable.
func importUnderLoad(b *testing.B, base, token string, file []byte, list string, every time.Duration, n int, name string) underLoad {
	var r underLoad
	r.idle = sampleGets(b, list, token, every, func(got int) bool { return got < n })
	var target struct{ ID string }
	call(b, http.MethodPost, base+"/api/v1/collections", token, "", fmt.Sprintf(`{"name":%q}`, name), http.StatusCreated, &target)

	r.start = time.Now()
	var imp importReport
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/collections/"+target.ID+"/imports", bytes.NewReader(file))
	require.NoError(b, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/html")
	doJSON(b, req, http.StatusAccepted, &imp)

	// The import's progress is polled as the dashboard does, while the
	// interactive requests are timed.
	var mu sync.Mutex
	finished := false
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			got, err := getImport(base, token, imp.ID)
			if err == nil && (got.Status == "SUCCEEDED" || got.Status == "FAILED") {
				mu.Lock()
				finished, imp = true, got
				mu.Unlock()
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
	}()
	r.during = sampleGets(b, list, token, every, func(int) bool {
		mu.Lock()
		defer mu.Unlock()
		return !finished
	})
	wg.Wait()
	require.Equal(b, "SUCCEEDED", imp.Status, "the import: %+v", imp)
	require.Equal(b, itemsIn(file), imp.Created)
	require.NotNil(b, imp.FinishedAt)
	r.finished = *imp.FinishedAt

	// Until every imported item is searchable, with the index catching up.
	var searchErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := waitSearchable(base, token, target.ID, imp.Created, 5*time.Minute)
		mu.Lock()
		r.searchable, searchErr = time.Now(), err
		mu.Unlock()
	}()
	r.after = sampleGets(b, list, token, every, func(int) bool {
		mu.Lock()
		defer mu.Unlock()
		return r.searchable.IsZero()
	})
	wg.Wait()
	require.NoError(b, searchErr)
	return r
}

// itemsIn counts the links of a bookmark file.
func itemsIn(file []byte) int { return bytes.Count(file, []byte("<DT><A ")) }

type importReport struct {
	ID         string
	Status     string
	Created    int
	FinishedAt *time.Time `json:"finished_at"`
}

func getImport(base, token, id string) (importReport, error) {
	var out importReport
	err := getJSON(base+"/api/v1/imports/"+id, token, &out)
	return out, err
}

// waitSearchable polls a search of the collection until it counts want
// items.
func waitSearchable(base, token, collection string, want int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var out struct {
			Total struct {
				Value    int
				Relation string
			}
		}
		err := getJSON(base+"/api/v1/search/items?limit=1&collection_id="+collection, token, &out)
		if err == nil && out.Total.Value == want && out.Total.Relation == "eq" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d items searchable after %s (last error: %v)", out.Total.Value, want, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getJSON decodes the 200 answer of a GET of url into out.
func getJSON(url, token string, out any) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type latencies struct {
	p99 time.Duration
	n   int
}

// sampleGets times GETs of url while more(count so far) holds and returns
// their p99: one after another when every is zero, otherwise one every
// every, each timed from when it was due.
func sampleGets(b *testing.B, url, token string, every time.Duration, more func(n int) bool) latencies {
	var lat []time.Duration
	due := time.Now()
	for more(len(lat)) {
		if every > 0 {
			time.Sleep(time.Until(due))
		} else {
			due = time.Now()
		}
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(b, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(due))
		require.NoError(b, err)
		require.Equal(b, http.StatusOK, resp.StatusCode)
		due = due.Add(every)
	}
	require.NotEmpty(b, lat)
	slices.Sort(lat)
	return latencies{p99: lat[len(lat)*99/100], n: len(lat)}
}

func doJSON(b *testing.B, req *http.Request, want int, out any) {
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	require.Equal(b, want, resp.StatusCode, "%s %s: %s", req.Method, req.URL, body)
	require.NoError(b, json.Unmarshal(body, out))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
