package item_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/item/itemtest"
)

// Run with (takes the whole machine):
//
//	go test ./item -run '^$' -bench Import -benchtime 1x
//
// BenchmarkImport10k imports a 10,000-bookmark file (nested folders, tags,
// descriptions, as a browser writes it) through CreateImport and RunImport
// in batches of DefaultImportBatch, with every item's event and enrichment
// job written in the same transactions. BenchmarkImport100kRSS does the
// same with 100,000 and reports how much the process' resident memory grew
// at its peak. BenchmarkImportLatency measures the p99 of listing a
// collection's items (Service.List, what GET /collections/{id}/items calls)
// while a 10k import runs against idle.

func runBigImport(b *testing.B, f importFixture, file []byte) item.Import {
	b.Helper()
	got, err := bigImport(f, file)
	require.NoError(b, err)
	return got
}

// bigImport is runBigImport for any goroutine: it returns the error instead
// of failing the benchmark.
func bigImport(f importFixture, file []byte) (item.Import, error) {
	ctx := context.Background()
	imp, err := f.env.Items.CreateImport(ctx, f.owner.ID, f.collection, item.CreateImportParams{File: bytes.NewReader(file)})
	if err != nil {
		return item.Import{}, err
	}
	if _, err := f.env.Items.RunImport(ctx, imp.ID, item.RunImportOpts{}); err != nil {
		return item.Import{}, err
	}
	got, err := f.env.Items.GetImport(ctx, f.owner.ID, imp.ID)
	if err != nil {
		return item.Import{}, err
	}
	if got.Status != item.ImportSucceeded {
		return got, fmt.Errorf("import ended %s, want %s", got.Status, item.ImportSucceeded)
	}
	return got, nil
}

func BenchmarkImport10k(b *testing.B) {
	file := itemtest.BookmarkFile(10_000)
	f := setupImport(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		f.collection = f.env.NewCollection(b, f.owner).ID
		start := time.Now()
		got := runBigImport(b, f, file)
		total += time.Since(start)
		require.Equal(b, 10_000, got.Created)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/import")
	b.ReportMetric(float64(10_000*b.N)/total.Seconds(), "bookmarks/s")
}

func BenchmarkImport100kRSS(b *testing.B) {
	file := itemtest.BookmarkFile(100_000)
	f := setupImport(b)
	for i := 0; i < b.N; i++ {
		f.collection = f.env.NewCollection(b, f.owner).ID
		base := rssMiB()
		peak := base
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					peak = max(peak, rssMiB())
				}
			}
		}()
		start := time.Now()
		got := runBigImport(b, f, file)
		close(done)
		wg.Wait()
		require.Equal(b, 100_000, got.Created)
		b.ReportMetric(peak-base, "MiB-rss-growth")
		b.ReportMetric(time.Since(start).Seconds(), "s/import")
	}
}

// p99 of n sequential first pages of the fixture's collection's items.
func p99(b *testing.B, f importFixture, n int) time.Duration {
	b.Helper()
	lat := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		_, _, err := f.env.Items.List(context.Background(), f.owner.ID, f.collection, item.ListParams{Page: cursor.Page{Limit: 50}})
		lat = append(lat, time.Since(start))
		require.NoError(b, err)
	}
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

func BenchmarkImportLatency(b *testing.B) {
	file := itemtest.BookmarkFile(10_000)
	f := setupImport(b)
	for range 50 {
		f.env.NewItem(b, f.owner, f.collection, item.CreateParams{SourceURL: "https://busy.example/"})
	}
	for i := 0; i < b.N; i++ {
		idle := p99(b, f, 400)
		target := f
		target.collection = f.env.NewCollection(b, f.owner).ID
		done := make(chan error, 1)
		go func() {
			_, err := bigImport(target, file)
			done <- err
		}()
		busy := p99(b, f, 400)
		require.NoError(b, <-done)
		b.ReportMetric(float64(idle.Microseconds())/1000, "ms-p99-idle")
		b.ReportMetric(float64(busy.Microseconds())/1000, "ms-p99-importing")
		b.ReportMetric(float64(busy)/float64(idle), "ratio")
	}
}

func rssMiB() float64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	s := bufio.NewScanner(fh)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
