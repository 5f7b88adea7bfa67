package search_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/search"
	"github.com/atlasapp/atlas/testfactory"
)

// BenchmarkSearchWithTeams measures GET /api/v1/search/items on the
// SearchLatency corpus (ATLAS_BENCH_TEAMS_ITEMS items, default 100k, the
// same cached index) for two users with the same access: one is a member of
// the big collection and 490 others directly, the other is in 50 teams that
// give it the same collections (one team the big collection, each other team
// ten) and has no direct membership. Each query of the mix
// (ATLAS_BENCH_QUERIES, default 500) runs for both, in alternating order;
// teams_cost_p50_% and teams_cost_p99_% are what resolving the caller's
// collections through teams adds. Target ≤ 5 % at p99.
//
//	ATLAS_BENCH_KEEP=1 go test ./search -run '^$' -bench SearchWithTeams -benchtime 1x -timeout 30m
func BenchmarkSearchWithTeams(b *testing.B) {
	size, queries := 100_000, 500
	if n, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_TEAMS_ITEMS")); err == nil && n > 0 {
		size = n
	}
	if n, err := strconv.Atoi(os.Getenv("ATLAS_BENCH_QUERIES")); err == nil && n > 0 {
		queries = n
	}
	const teams, perTeam = 50, 10
	for range b.N {
		b.StopTimer()
		env := testfactory.New(b)
		ix, cached := cachedIndex(b, size)
		svc := search.NewService(search.ServiceParams{DB: env.Pool, Collections: env.Collections, Index: ix, Cursors: env.Cursors})
		srv := httptest.NewServer(api.NewServer(api.Params{Accounts: env.Accounts, Collections: env.Collections,
			Items: env.Items, Audit: env.Audit, Jobs: env.Jobs, Search: svc}))
		owner, direct, teamed := env.NewUser(b), env.NewUser(b), env.NewUser(b)
		bc := loadBenchCorpus(b, env, ix, owner.ID, size, cached)

		// Team 0 reaches the big collection, team i (1..49) collections
		// 10(i-1)+1 .. 10i; the direct user is a member of the same ones.
		now := time.Now().UTC()
		var teamRows, teamMembers, teamColls, memberships [][]any
		for i := range teams {
			id := uuid.Must(uuid.NewV7())
			teamRows = append(teamRows, []any{id, fmt.Sprintf("bench team %d", i), owner.ID, now, now})
			teamMembers = append(teamMembers, []any{id, owner.ID, "owner", now, now}, []any{id, teamed.ID, "member", now, now})
			colls := []uuid.UUID{bc.colls[0]}
			if i > 0 {
				colls = bc.colls[1+(i-1)*perTeam : 1+i*perTeam]
			}
			for _, c := range colls {
				teamColls = append(teamColls, []any{c, id, "viewer", now, now})
				memberships = append(memberships, []any{c, direct.ID, "viewer", now, now})
			}
		}
		copyRows(b, env, "teams", []string{"id", "name", "created_by", "created_at", "updated_at"}, teamRows)
		copyRows(b, env, "team_members", []string{"team_id", "user_id", "role", "created_at", "updated_at"}, teamMembers)
		copyRows(b, env, "collection_teams", []string{"collection_id", "team_id", "role", "created_at", "updated_at"}, teamColls)
		copyRows(b, env, "memberships", []string{"collection_id", "user_id", "role", "created_at", "updated_at"}, memberships)
		_, err := env.Pool.Exec(context.Background(), `ANALYZE teams; ANALYZE team_members; ANALYZE collection_teams; ANALYZE memberships`)
		require.NoError(b, err)
		for _, u := range []testfactory.User{direct, teamed} {
			ids, err := env.Collections.VisibleIDs(context.Background(), env.Pool, u.ID)
			require.NoError(b, err)
			require.Len(b, ids, 1+(teams-1)*perTeam, "both users see the same collections")
		}

		mix := bc.queryMix(queries)
		for _, q := range mix[:20] { // warm-up
			searchAPI(b, srv, direct.Token, q)
			searchAPI(b, srv, teamed.Token, q)
		}
		timed := func(u testfactory.User, q benchQuery) (time.Duration, int) {
			start := time.Now()
			page := searchAPI(b, srv, u.Token, q)
			return time.Since(start), page.Total.Value
		}
		viaDirect, viaTeams := make([]time.Duration, 0, len(mix)), make([]time.Duration, 0, len(mix))
		b.StartTimer()
		for i, q := range mix {
			var dd, dt time.Duration
			var nd, nt int
			if i%2 == 0 {
				dd, nd = timed(direct, q)
				dt, nt = timed(teamed, q)
			} else {
				dt, nt = timed(teamed, q)
				dd, nd = timed(direct, q)
			}
			require.Equal(b, nd, nt, "the same matches either way: %v", q)
			viaDirect, viaTeams = append(viaDirect, dd), append(viaTeams, dt)
		}
		b.StopTimer()
		slices.Sort(viaDirect)
		slices.Sort(viaTeams)
		label := fmt.Sprintf("%dk_", size/1000)
		for _, p := range []int{50, 99} {
			d, t := percentile(viaDirect, p), percentile(viaTeams, p)
			b.ReportMetric(d, fmt.Sprintf("%sdirect_p%d_ms", label, p))
			b.ReportMetric(t, fmt.Sprintf("%s50_teams_p%d_ms", label, p))
			b.ReportMetric(100*(t/d-1), fmt.Sprintf("teams_cost_p%d_%%", p))
		}
		srv.Close()
	}
}
