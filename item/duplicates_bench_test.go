package item_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/testfactory"
)

// seedLibrarySQL stores n items over the collections $1, a tenth of them
// holding a link that another item holds too (in the same collection or
// another), as keys the application would write (https://site<k mod 1000>.example/p<k>).
const seedLibrarySQL = `
INSERT INTO items (id, collection_id, title, source_url, normalized_url, version, created_at, updated_at)
SELECT gen_random_uuid(), ($1::uuid[])[1 + g % cardinality($1::uuid[])], 'Item ' || g,
       'https://site' || (k % 1000) || '.example/p' || k, 'https://site' || (k % 1000) || '.example/p' || k,
       1, now() - g * interval '1 second', now()
FROM generate_series(1, $2) AS g, LATERAL (SELECT CASE WHEN g % 10 = 0 THEN g / 20 ELSE g END AS k) AS x`

// BenchmarkDuplicates_LibraryOf100k measures the duplicates view (first page
// of 50 groups) of a person who can read 10 collections holding 100,000
// items; it reports the p99 over the runs (the target: ≤ 200 ms).
func BenchmarkDuplicates_LibraryOf100k(b *testing.B) {
	env := testfactory.New(b)
	owner, reader := env.NewUser(b), env.NewUser(b)
	ids := make([]any, 0, 10)
	for range 10 {
		c := env.NewCollection(b, owner)
		env.AddMember(b, owner, c.ID, reader, collection.RoleViewer)
		ids = append(ids, c.ID)
	}
	ctx := context.Background()
	_, err := env.Pool.Exec(ctx, seedLibrarySQL, ids, 100_000)
	require.NoError(b, err)
	_, err = env.Pool.Exec(ctx, `ANALYZE items`)
	require.NoError(b, err)

	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		groups, _, err := env.Items.Duplicates(ctx, reader.ID, item.DuplicatesParams{Page: cursor.Page{Limit: 50}})
		took = append(took, time.Since(start))
		require.NoError(b, err)
		require.Len(b, groups, 50)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
