package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/item"
)

// BenchmarkCollectionFeed measures GET /feeds/collections/{id}/atom of a
// collection of 60 items (a feed carries the newest 50) through HTTP on a
// real database, one request at a time: a full answer, and a 304 to a
// reader that sends the ETag back. It reports the p50 and p99 latencies
// (the targets: p99 ≤ 20 ms for the feed, ≤ 5 ms for the 304).
func BenchmarkCollectionFeed(b *testing.B) {
	env := apitest.New(b)
	u := env.NewUser(b)
	c := env.NewCollection(b, u)
	for i := range 60 {
		env.NewItem(b, u, c.ID, item.CreateParams{Title: "Item " + string(rune('A'+i%26)), SourceURL: "https://example.com/" + string(rune('a'+i%26)),
			Description: "A description long enough to look like a real one, with a few words in it.", Tags: []string{"go", "feeds"}})
	}
	_, secret, err := env.Accounts.CreateToken(context.Background(), account.Principal{UserID: u.ID, SessionID: u.SessionID},
		account.CreateTokenParams{Name: "bench", Scope: account.ScopeFeed})
	if err != nil {
		b.Fatal(err)
	}
	path := "/feeds/collections/" + c.ID.String() + "/atom?token=" + url.QueryEscape(secret)
	first := env.Do(b, http.MethodGet, path, "", nil)
	if first.Status != http.StatusOK {
		b.Fatalf("feed: %d %s", first.Status, first.Body)
	}
	etag := first.Header.Get("ETag")

	for _, tc := range []struct {
		name    string
		headers []string
		want    int
	}{{"full", nil, http.StatusOK}, {"304", []string{"If-None-Match", etag}, http.StatusNotModified}} {
		b.Run(tc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				resp := env.Do(b, http.MethodGet, path, "", nil, tc.headers...)
				lat = append(lat, time.Since(start))
				if resp.Status != tc.want {
					b.Fatalf("status %d, want %d", resp.Status, tc.want)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
		})
	}
}
