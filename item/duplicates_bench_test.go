package item_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// seedLibrarySQL stores $2 items over the collections $1, with the keys
// the application would write:
//   - a tenth of them hold a link another item holds too, in the same
//     collection or another (exact duplicates: https://site<k mod 1000>.example/p<k>);
//   - every 7th names a canonical link the item 7 apart names too
//     (https://canon.example/c<g/14>: near-duplicates by canonical link);
//   - every 13th has the title of the item 13 apart, on the same host,
//     under another path (near-duplicates by title and host).
const seedLibrarySQL = `
INSERT INTO items (id, collection_id, title, source_url, normalized_url, canonical_url, version, created_at, updated_at)
SELECT gen_random_uuid(), ($1::uuid[])[1 + g % cardinality($1::uuid[])], x.title, x.url, x.url,
       CASE WHEN g % 7 = 0 THEN 'https://canon.example/c' || (g / 14) END,
       1, now() - g * interval '1 second', now()
FROM generate_series(1, $2) AS g,
     LATERAL (SELECT CASE WHEN g % 10 = 0 THEN g / 20 ELSE g END AS k) AS d,
     LATERAL (SELECT
       CASE WHEN g % 13 = 0 THEN 'Shared title ' || (g / 26) ELSE 'Item ' || g END AS title,
       'https://site' || (CASE WHEN g % 13 = 0 THEN (g / 26) % 1000 ELSE d.k % 1000 END) || '.example/p' || d.k AS url) AS x`

// benchInt reads a positive integer knob, def when unset.
func benchInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, name)
	require.Positive(b, n, name)
	return n
}

// percentileMS is the p-th percentile of sorted durations, in milliseconds.
func percentileMS(sorted []time.Duration, p int) float64 {
	return float64(sorted[min(len(sorted)-1, len(sorted)*p/100)].Microseconds()) / 1000
}

// BenchmarkDuplicates_LibraryOf100k measures the duplicates view (pages of
// 50 groups, walked from the first to the last and round again) of a person
// who can read 10 collections (ATLAS_BENCH_COLLECTIONS) holding 100,000
// items (ATLAS_BENCH_ITEMS), for each kind of group: exact (≈ 5k groups),
// canonical (≈ 7k) and title_host (≈ 3.8k). Each kind answers
// ATLAS_BENCH_QUERIES pages (200); reported are p50 and p99 per kind
// (target: p99 ≤ 200 ms), against the baseline of the same run: one pass
// over the person's items (a count of the items in the collections they
// may read), what any view grouping the whole library pays at least.
func BenchmarkDuplicates_LibraryOf100k(b *testing.B) {
	size := benchInt(b, "ATLAS_BENCH_ITEMS", 100_000)
	colls := benchInt(b, "ATLAS_BENCH_COLLECTIONS", 10)
	queries := benchInt(b, "ATLAS_BENCH_QUERIES", 200)
	ctx := context.Background()
	for range b.N {
		env := testfactory.New(b)
		owner, reader := env.NewUser(b), env.NewUser(b)
		ids := make([]any, 0, colls)
		for range colls {
			c := env.NewCollection(b, owner)
			env.AddMember(b, owner, c.ID, reader, collection.RoleViewer)
			ids = append(ids, c.ID)
		}
		_, err := env.Pool.Exec(ctx, seedLibrarySQL, ids, size)
		require.NoError(b, err)
		_, err = env.Pool.Exec(ctx, `VACUUM ANALYZE items`)
		require.NoError(b, err)

		b.ResetTimer()
		scan := make([]time.Duration, 0, queries)
		for range queries {
			start := time.Now()
			var n int
			err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM items i WHERE i.collection_id IN `+collection.VisibleIDsSQL("$1"), reader.ID).Scan(&n)
			scan = append(scan, time.Since(start))
			require.NoError(b, err)
			require.Equal(b, size, n)
		}
		slices.Sort(scan)
		b.ReportMetric(percentileMS(scan, 50), "scan_p50_ms")
		b.ReportMetric(percentileMS(scan, 99), "scan_p99_ms")

		for _, kind := range []item.DuplicateKind{item.DuplicateExact, item.DuplicateCanonical, item.DuplicateTitleHost} {
			took := make([]time.Duration, 0, queries)
			var after string
			var walkPages, walkGroups, pages, groups int // the walk under way, the last complete one
			for range queries {
				start := time.Now()
				page, next, err := env.Items.Duplicates(ctx, reader.ID, item.DuplicatesParams{Kind: kind, Page: cursor.Page{Limit: 50, After: after}})
				took = append(took, time.Since(start))
				require.NoError(b, err)
				require.NotEmpty(b, page, kind)
				require.GreaterOrEqual(b, len(page[0].Items), 2, kind)
				walkPages, walkGroups, after = walkPages+1, walkGroups+len(page), next
				if next == "" {
					pages, groups, walkPages, walkGroups = walkPages, walkGroups, 0, 0
				}
			}
			slices.Sort(took)
			b.ReportMetric(percentileMS(took, 50), string(kind)+"_p50_ms")
			b.ReportMetric(percentileMS(took, 99), string(kind)+"_p99_ms")
			b.ReportMetric(percentileMS(took, 99)/percentileMS(scan, 99), string(kind)+"_p99_per_scan")
			b.Logf("%s: %d pages answered, p50 %.1f ms, p99 %.1f ms; the whole view: %d groups on %d pages", kind, queries,
				percentileMS(took, 50), percentileMS(took, 99), groups, pages)
		}
	}
}
