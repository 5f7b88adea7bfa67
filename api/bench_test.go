package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
)

// benchDuration is how long each phase of a throughput benchmark runs
// (ATLAS_BENCH_SECONDS, default 5).
func benchDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 5 * time.Second
}

const benchClients = 16

// hammer runs op from benchClients goroutines for d and returns ops/s.
func hammer(b *testing.B, d time.Duration, op func(ctx context.Context) error) float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := op(ctx); err != nil {
					if ctx.Err() == nil {
						failed.Store(err)
					}
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatalf("operation failed: %v", err)
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}

// noOutbox drops events: it measures the write path without the outbox.
type noOutbox struct{}

func (noOutbox) Enqueue(context.Context, pgx.Tx, ...events.Envelope) error { return nil }

func (noOutbox) Queue(*pgx.Batch, ...events.Envelope) error { return nil }

var benchTags = []string{"go", "databases", "reading"}

// BenchmarkItemCreateThroughput measures POST /collections/{id}/items with
// 16 concurrent clients against the same SQL statements issued directly
// through pgx on 16 connections (the database's ceiling for this work), and
// the API with and without the transactional outbox. Each phase runs for
// ATLAS_BENCH_SECONDS; the ratios are the figures that matter.
func BenchmarkItemCreateThroughput(b *testing.B) {
	d := benchDuration()
	for range b.N {
		// (a) Direct SQL: the statements the service issues, minus HTTP, JSON,
		// auth and the outbox.
		sqlEnv := apitest.New(b, apitest.Opts{Outbox: noOutbox{}, MaxConns: benchClients + 4})
		u := sqlEnv.NewUser(b)
		c := sqlEnv.NewCollection(b, u)
		var store item.Store
		var cstore collection.Store
		sqlRate := hammer(b, d, func(ctx context.Context) error {
			now := time.Now().UTC()
			it := item.Item{ID: uuid.Must(uuid.NewV7()), CollectionID: c.ID, Title: "Direct", Tags: benchTags,
				Metadata: json.RawMessage(`{}`), CreatedBy: &u.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
			return db.InTx(ctx, sqlEnv.Pool, func(tx pgx.Tx) error {
				var role *collection.Role
				check := &pgx.Batch{}
				cstore.QueueRole(check, c.ID, u.ID, &role)
				if err := tx.SendBatch(ctx, check).Close(); err != nil {
					return err
				}
				return store.Insert(ctx, tx, it, nil)
			})
		})

		apiRate := func(env *apitest.Env) float64 {
			u := env.NewUser(b)
			c := env.NewCollection(b, u)
			path := "/api/v1/collections/" + c.ID.String() + "/items"
			body := map[string]any{"title": "Through the API", "tags": benchTags}
			return hammer(b, d, func(ctx context.Context) error {
				resp, err := env.Send(http.MethodPost, path, u.Token, body)
				if err != nil {
					return err
				}
				if resp.Status != http.StatusCreated {
					return fmt.Errorf("status %d: %s", resp.Status, resp.Body)
				}
				return nil
			})
		}
		// (b) The API without the outbox, then (c) with it (events as River jobs).
		noEvents := apiRate(apitest.New(b, apitest.Opts{Outbox: noOutbox{}, MaxConns: benchClients + 4}))
		withEvents := apiRate(apitest.New(b, apitest.Opts{MaxConns: benchClients + 4}))

		b.ReportMetric(sqlRate, "sql_writes/s")
		b.ReportMetric(noEvents, "api_writes/s")
		b.ReportMetric(withEvents, "api+outbox_writes/s")
		b.ReportMetric(100*noEvents/sqlRate, "api_%_of_sql")
		b.ReportMetric(100*(1-withEvents/noEvents), "outbox_cost_%")
	}
}

// BenchmarkItemCreateWithTeams measures the write benchmark's API phase
// (POST /collections/{id}/items, 16 clients, with the outbox) for two
// writers with the same access: one reaches the collection it writes to and
// 100 others directly, the other is in 50 teams that give it the same
// access (one team is the written collection's editor, each team a viewer
// of two others) and has no direct role. The two alternate in
// ATLAS_BENCH_ROUNDS phases each (default 3; A B B A ... so a drift of the
// machine falls on both) of ATLAS_BENCH_SECONDS; teams_cost_% is what
// reaching the collections through teams adds to a write. Target ≤ 5 %.
func BenchmarkItemCreateWithTeams(b *testing.B) {
	d := benchDuration()
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	const teams, perTeam = 50, 2
	for range b.N {
		env := apitest.New(b, apitest.Opts{MaxConns: benchClients + 4})
		owner, direct, teamed := env.NewUser(b), env.NewUser(b), env.NewUser(b)
		c := env.NewCollection(b, owner)
		env.AddMember(b, owner, c.ID, direct, collection.RoleEditor)
		for i := range teams {
			tm := env.NewTeamOf(b, owner, teamed)
			if i == 0 {
				env.ShareWithTeam(b, owner, c.ID, tm.ID, collection.RoleEditor)
			}
			for range perTeam {
				other := env.NewCollection(b, owner)
				env.ShareWithTeam(b, owner, other.ID, tm.ID, collection.RoleViewer)
				env.AddMember(b, owner, other.ID, direct, collection.RoleViewer)
			}
		}
		path := "/api/v1/collections/" + c.ID.String() + "/items"
		body := map[string]any{"title": "Through the API", "tags": benchTags}
		rate := func(u apitest.User) float64 {
			return hammer(b, d, func(ctx context.Context) error {
				resp, err := env.Send(http.MethodPost, path, u.Token, body)
				if err != nil {
					return err
				}
				if resp.Status != http.StatusCreated {
					return fmt.Errorf("status %d: %s", resp.Status, resp.Body)
				}
				return nil
			})
		}
		var viaDirect, viaTeams float64
		for r := range rounds {
			if r%2 == 0 {
				viaDirect += rate(direct)
				viaTeams += rate(teamed)
			} else {
				viaTeams += rate(teamed)
				viaDirect += rate(direct)
			}
		}
		viaDirect, viaTeams = viaDirect/float64(rounds), viaTeams/float64(rounds)
		b.ReportMetric(viaDirect, "writes/s_direct")
		b.ReportMetric(viaTeams, "writes/s_50_teams")
		b.ReportMetric(100*(1-viaTeams/viaDirect), "teams_cost_%")
	}
}
