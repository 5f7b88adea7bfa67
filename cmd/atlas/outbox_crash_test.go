package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// checkKeyOrder checks what Kafka holds for one key against the commit
// order 0..committed-1 of that key's events. At-least-once delivery after a
// crash allows a replay: the drainer that takes a dead one's lane publishes
// again the events the dead one published but had not deleted. So the
// observed sequence must be a series of runs of consecutive numbers, the
// first starting at 0 and each later one starting at or before the highest
// number seen so far plus one (no event skipped, none first seen out of
// order), with at most maxReplays runs after the first, and it must contain
// every committed number.
func checkKeyOrder(seen []int, committed, maxReplays int) error {
	high, replays := -1, 0
	for i, n := range seen {
		switch {
		case n > high+1:
			return fmt.Errorf("event %d seen before %d (position %d of %v)", n, high+1, i, seen)
		case i > 0 && n != seen[i-1]+1:
			replays++ // a replay starts
		}
		high = max(high, n)
	}
	if replays > maxReplays {
		return fmt.Errorf("%d replays, at most %d expected: %v", replays, maxReplays, seen)
	}
	if high != committed-1 {
		return fmt.Errorf("last event seen %d, committed %d", high, committed)
	}
	return nil
}

func TestCheckKeyOrder_AcceptsAReplayAndRefusesGapsAndReordering(t *testing.T) {
	t.Parallel()
	assert.NoError(t, checkKeyOrder([]int{0, 1, 2, 3}, 4, 0))
	assert.NoError(t, checkKeyOrder([]int{0, 1, 2, 1, 2, 3}, 4, 1), "a replayed suffix")
	assert.Error(t, checkKeyOrder([]int{0, 1, 2, 1, 2, 3}, 4, 0), "a replay without a crash")
	assert.Error(t, checkKeyOrder([]int{0, 2, 1, 3}, 4, 1), "2 before 1")
	assert.Error(t, checkKeyOrder([]int{0, 1, 3}, 4, 1), "2 lost")
	assert.Error(t, checkKeyOrder([]int{0, 1, 2}, 4, 1), "3 lost")
	assert.Error(t, checkKeyOrder([]int{1, 2}, 3, 1), "0 lost")
}

// TestWorker_SIGKILLOfOneOfTwoWorkersLosesAndReordersNothing runs two
// `atlas worker` processes on one database while writers commit events for
// many keys, SIGKILLs one of them mid-stream (after it has published), and
// restarts it. Every committed event must reach Kafka within 30 s of the
// last commit, each key's events in commit order (a replayed suffix allowed
// once, for the kill).
func TestWorker_SIGKILLOfOneOfTwoWorkersLosesAndReordersNothing(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	brokers := brokertest.Brokers(t)
	topic := brokertest.UniqueTopic(t, brokers, 6)
	reader := brokertest.NewReader(t, brokers, topic)
	ctx := context.Background()
	pool, err := db.Open(ctx, db.PoolParams{URL: dbURL, MaxConns: 8})
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	env := []string{"ATLAS_DATABASE_URL=" + dbURL, "ATLAS_KAFKA_BROKERS=" + brokers,
		"ATLAS_KAFKA_TOPIC_EVENTS=" + topic, "ATLAS_KAFKA_TOPIC_DLQ=" + topic + ".dlq"}
	startWorkerProc := func() (*process, string) {
		ops := freeAddr(t)
		p := startAtlas(t, "worker", append(env, "ATLAS_OPS_ADDR="+ops)...)
		p.waitLog(t, `"msg":"worker started"`, 60*time.Second)
		return p, "http://" + ops
	}
	victim, victimOps := startWorkerProc()
	startWorkerProc()

	// Writers: each owns some keys and commits their events one by one, so
	// a key's commit order is the order of its numbers.
	const writers, keysPerWriter = 4, 5
	var mu sync.Mutex
	committed := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range writers {
		keys := make([]uuid.UUID, keysPerWriter)
		for i := range keys {
			keys[i] = uuid.New()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outbox := events.NewOutbox()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := keys[i%len(keys)]
				mu.Lock()
				n := committed[key.String()]
				mu.Unlock()
				env, err := brokertest.NewItemEnvelope(key, map[string]any{"n": n})
				if !assert.NoError(t, err) {
					return
				}
				err = db.InTx(ctx, pool, func(tx pgx.Tx) error { return outbox.Enqueue(ctx, tx, env) })
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				committed[key.String()] = n + 1
				mu.Unlock()
				time.Sleep(time.Millisecond) // about 1,000 events/s in all
			}
		}()
	}

	// Kill the victim once it has published some events itself.
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		assert.Contains(collect, get(collect, victimOps+"/metrics"), `atlas_outbox_publish_duration_seconds_count{outcome="ok"}`)
	}, 30*time.Second, 50*time.Millisecond, "the victim worker published nothing")
	require.NoError(t, victim.cmd.Process.Kill())
	<-victim.done
	time.Sleep(2 * time.Second) // writes go on with one worker
	startWorkerProc()
	time.Sleep(time.Second) // and with two again
	close(stop)
	wg.Wait()
	lastCommit := time.Now()

	total := 0
	for _, n := range committed {
		total += n
	}
	require.Greater(t, total, 500, "the writers committed too little to test anything")
	distinct := func() int {
		ids := map[uuid.UUID]bool{}
		for _, r := range reader.All(brokertest.Any) {
			ids[r.Envelope.EventID] = true
		}
		return len(ids)
	}
	require.Eventually(t, func() bool { return distinct() == total }, 30*time.Second, 50*time.Millisecond,
		"not every committed event reached Kafka within 30 s")
	t.Logf("%d events published, the last %s after the last commit", total, time.Since(lastCommit).Round(time.Millisecond))
	reader.CatchUp(t, 30*time.Second)

	seen := map[string][]int{}
	for _, r := range reader.All(brokertest.Any) {
		var data struct{ N int }
		require.NoError(t, json.Unmarshal(r.Envelope.Data, &data))
		seen[r.Key] = append(seen[r.Key], data.N)
	}
	require.Len(t, seen, writers*keysPerWriter)
	for key, n := range committed {
		assert.NoError(t, checkKeyOrder(seen[key], n, 1), "key %s", key)
	}
	var left int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM atlas_outbox`).Scan(&left))
	assert.Zero(t, left, "published events are deleted")
}
