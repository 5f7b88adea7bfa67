package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
)

const articleHTML = `<!doctype html>
<html lang="fr-FR"><head>
<meta charset="windows-1252">
<title>Caf` + "\xe9" + ` – fallback title</title>
<meta property="og:title" content="Le Caf` + "\xe9" + ` des Arts">
<meta property="og:description" content="Cr` + "\xe8" + `me br` + "\xfb" + `l` + "\xe9" + `e et th` + "\xe9" + `.">
<meta property="og:site_name" content="Caf` + "\xe9" + ` Mag">
<meta property="og:image" content="/img/cover.jpg">
<link rel="canonical" href="/articles/cafe">
<link rel="icon" href="/static/icon.png">
</head><body><p>Bonjour</p></body></html>`

// site is a local test site with real pages.
func site(t *testing.T) (base string, hits *sync.Map) {
	t.Helper()
	hits = &sync.Map{}
	count := func(path string) int {
		v, _ := hits.LoadOrStore(path, new(atomic.Int32))
		return int(v.(*atomic.Int32).Add(1))
	}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := count(r.URL.Path)
		switch r.URL.Path {
		case "/article":
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
			_, _ = w.Write([]byte(articleHTML))
		case "/old-link":
			http.Redirect(w, r, "/article", http.StatusMovedPermanently)
		case "/flaky": // down once, then up
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprint(w, `<html lang="en"><title>Back up</title></html>`)
		case "/paper.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.7\n" + strings.Repeat("0", 1000)))
		case "/notes.txt":
			w.Header().Set("Content-Type", "text/plain; charset=ISO-8859-1")
			_, _ = w.Write([]byte("plain notes"))
		case "/huge":
			w.Header().Set("Content-Type", "text/html")
			_, _ = fmt.Fprint(w, `<html><head><title>Huge page</title></head><body>`)
			_, _ = w.Write([]byte(strings.Repeat("<p>filler</p>", 100_000))) // ~1.3 MB
		case "/story":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprint(w, `<html lang="en"><head><title>Keeping the light</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>Keeping the light</h1>
<p>The keeper trimmed the wick every evening and polished the great lens until it shone.</p>
<p>Fog signals were sounded by hand when the weather closed in, sometimes for days.</p>
<p>Supplies came by boat once a month; in a storm the boat did not come at all.</p></article></body></html>`)
		case "/gone":
			http.NotFound(w, r)
		case "/to-private":
			http.Redirect(w, r, "http://10.1.2.3/admin", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	})
	return srv.URL, hits
}

func hitsOf(hits *sync.Map, path string) int {
	v, ok := hits.Load(path)
	if !ok {
		return 0
	}
	return int(v.(*atomic.Int32).Load())
}

func TestEnrichURL_NewItemWithURLIsEnqueuedInItsTransaction(t *testing.T) {
	t.Parallel()
	f := setup(t)
	withURL := f.newItem(t, "https://example.com/a")
	j := f.onlyJob(t, withURL.ID)
	assert.Equal(t, jobs.TypeEnrichURL, j.Type)
	assert.Equal(t, jobs.StatusQueued, j.Status)
	assert.Equal(t, jobs.EnrichMaxAttempts, j.MaxAttempts)
	assert.Equal(t, f.collection, j.CollectionID)

	assert.Empty(t, f.itemJobs(t, f.newItem(t, "").ID), "an item without a URL gets no job")
}

func TestEnrichURL_StoresPageMetadata(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, _ := site(t)
	p := f.testHandlers()
	p.Fetch.MaxBodyBytes = 256 << 10
	f.startWorker(t, p)

	tests := []struct {
		name string
		path string
		want map[string]any
		// absent lists keys that must not be present.
		absent []string
	}{
		{
			name: "html with og tags in windows-1252, through a redirect",
			path: "/old-link",
			want: map[string]any{
				"source_url": base + "/old-link", "final_url": base + "/article",
				"title": "Le Café des Arts", "description": "Crème brûlée et thé.",
				"site_name": "Café Mag", "canonical_url": base + "/articles/cafe",
				"image_url": base + "/img/cover.jpg", "favicon_url": base + "/static/icon.png",
				"language": "fr-FR", "content_type": "text/html", "charset": "windows-1252",
			},
			absent: []string{"truncated"},
		},
		{
			name:   "a PDF is described by its type and size",
			path:   "/paper.pdf",
			want:   map[string]any{"content_type": "application/pdf", "size": float64(1009), "final_url": base + "/paper.pdf"},
			absent: []string{"title", "description", "image_url"},
		},
		{
			name: "plain text keeps its charset",
			path: "/notes.txt",
			want: map[string]any{"content_type": "text/plain", "charset": "iso-8859-1"},
		},
		{
			name: "a huge page is cut at the cap and still yields its title",
			path: "/huge",
			want: map[string]any{"title": "Huge page", "truncated": true, "size": float64(256 << 10)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			it := f.newItem(t, base+tt.path)
			done := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
			assert.Equal(t, 1, done.Attempts)
			assert.Equal(t, "enriched", resultOf(t, done)["outcome"])

			got := f.getItem(t, it.ID)
			assert.Equal(t, int64(2), got.Version, "one metadata update")
			meta := metadataOf(t, got)
			for k, v := range tt.want {
				assert.Equal(t, v, meta[k], "metadata %s", k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, meta, k)
			}
			fetched, err := time.Parse(time.RFC3339, meta["fetched_at"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), fetched, time.Minute)
			assert.Equal(t, 1, f.itemUpdatedEvents(t, it.ID), "one ItemUpdated event through the outbox")
		})
	}
}

func TestEnrichURL_StoresPageTextAndReplacesItWhenTheURLChanges(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, _ := site(t)
	f.startWorker(t, f.testHandlers())

	it := f.newItem(t, base+"/story")
	done := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
	assert.Equal(t, "captured", resultOf(t, done)["page_text"])
	got := f.getItem(t, it.ID)
	require.NotNil(t, got.PageText, "the page text is captured")
	assert.Equal(t, item.PageTextCaptured, got.PageText.Status)
	assert.Equal(t, "en", got.PageText.Language)
	var content string
	require.NoError(t, f.env.Pool.QueryRow(context.Background(),
		`SELECT content FROM item_page_texts WHERE item_id = $1`, it.ID).Scan(&content))
	assert.Contains(t, content, "polished the great lens")
	assert.Equal(t, len(content), got.PageText.SizeBytes)
	assert.Equal(t, int64(2), got.Version, "metadata and page text in one change")
	assert.Equal(t, 1, f.itemUpdatedEvents(t, it.ID))

	// A new URL: the old page's text no longer applies, and the next ENRICH_URL replaces it.
	newURL := base + "/notes.txt"
	_, err := f.env.Items.Update(context.Background(), f.owner.ID, it.ID, item.UpdateParams{SourceURL: &newURL})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		p := f.getItem(collect, it.ID).PageText
		if assert.NotNil(collect, p) {
			assert.Equal(collect, len("plain notes"), p.SizeBytes)
		}
	}, 15*time.Second, 10*time.Millisecond, "the new URL's text replaces the old one")
}

func TestEnrichURL_PageWithoutReadableTextIsRecordedAsSkipped(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, _ := site(t)
	f.startWorker(t, f.testHandlers())

	it := f.newItem(t, base+"/paper.pdf") // "%PDF-1.7" and zeros: no document inside
	done := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
	assert.Equal(t, "skipped", resultOf(t, done)["page_text"])
	assert.Contains(t, resultOf(t, done)["page_text_skip_reason"], "the PDF could not be read")
	got := f.getItem(t, it.ID)
	require.NotNil(t, got.PageText)
	assert.Equal(t, item.PageTextSkipped, got.PageText.Status)
	assert.Zero(t, got.PageText.SizeBytes)
	assert.Contains(t, got.PageText.SkipReason, "the PDF could not be read")
}

// windows1252 sanity: the fixture page really is in windows-1252, not UTF-8.
func TestEnrichURL_FixtureIsWindows1252(t *testing.T) {
	t.Parallel()
	decoded, err := charmap.Windows1252.NewDecoder().String(articleHTML)
	require.NoError(t, err)
	assert.Contains(t, decoded, "Le Café des Arts")
	assert.NotContains(t, articleHTML, "Café")
}

func TestEnrichURL_RetryLeavesOneConsistentResult(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, hits := site(t)
	f.startWorker(t, f.testHandlers())

	it := f.newItem(t, base+"/flaky")
	j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
	assert.Equal(t, 2, j.Attempts, "the 503 was retried")
	assert.Contains(t, j.LastError, "503")
	assert.Equal(t, 2, hitsOf(hits, "/flaky"))
	got := f.getItem(t, it.ID)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, "Back up", metadataOf(t, got)["title"])
	assert.Equal(t, 1, f.itemUpdatedEvents(t, it.ID))

	// The worker crashes after storing the metadata but before River
	// records the job as done: River's rescuer makes it available again.
	_, err := f.env.Pool.Exec(context.Background(),
		`UPDATE river_job SET state = 'available', finalized_at = NULL, scheduled_at = now() WHERE id = $1`, j.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return hitsOf(hits, "/flaky") == 3 }, 15*time.Second, 10*time.Millisecond,
		"the job ran again")
	again := f.waitStatus(t, j.ID, jobs.StatusSucceeded)
	assert.Equal(t, false, resultOf(t, again)["changed"], "nothing new to store")
	after := f.getItem(t, it.ID)
	assert.Equal(t, got.Version, after.Version, "the rerun did not touch the item")
	assert.JSONEq(t, string(got.Metadata), string(after.Metadata))
	assert.Equal(t, 1, f.itemUpdatedEvents(t, it.ID), "no second ItemUpdated event")
}

func TestEnrichURL_RetryWaitsForRetryAfter(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var (
		mu    sync.Mutex
		times []time.Time
	)
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		first := len(times) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_, _ = fmt.Fprint(w, `<title>ok</title>`)
	})
	p := f.testHandlers()
	p.EnrichRetry.Max = time.Minute // the backoff itself stays at milliseconds
	f.startWorker(t, p)

	it := f.newItem(t, srv.URL+"/")
	f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, times, 2)
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), 1900*time.Millisecond, "the retry honoured Retry-After: 2")
}

func TestEnrichURL_SlowPageTimesOutAndIsRetried(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var calls atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = fmt.Fprint(w, `<html><head><title>Slow but there</title>`)
		if calls.Add(1) == 1 { // the first time the body trickles forever
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		_, _ = fmt.Fprint(w, `</head></html>`)
	})
	p := f.testHandlers()
	p.Fetch.TotalTimeout = 300 * time.Millisecond
	f.startWorker(t, p)

	it := f.newItem(t, srv.URL+"/slow")
	j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusSucceeded)
	assert.Equal(t, 2, j.Attempts)
	assert.Contains(t, j.LastError, "deadline exceeded")
	assert.Equal(t, "Slow but there", metadataOf(t, f.getItem(t, it.ID))["title"])
}

// TestEnrichURL_RefusedAndMissingPagesFail checks that permanent failures,
// among them every server-side request forgery attempt, fail the job at
// once with the reason and leave the item alone.
func TestEnrichURL_RefusedAndMissingPagesFail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, _ := site(t)
	port := strings.TrimPrefix(base, "http://127.0.0.1:")
	p := f.testHandlers()
	p.Fetch.ResolveFunc = func(_ context.Context, host string) ([]netip.Addr, error) {
		if host == "intranet.example.test" {
			return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
		}
		return nil, errors.New("no such host in this test")
	}
	f.startWorker(t, p)

	tests := []struct {
		name, url, reason string
	}{
		{"private network 10/8", "http://10.0.0.1/", "blocked address"},
		{"cloud metadata service", "http://169.254.169.254/latest/meta-data/", "blocked address"},
		{"redirect to a private address", base + "/to-private", "blocked address"},
		{"a name resolving to a private address", "http://intranet.example.test:" + port + "/", "blocked address"},
		{"not found", base + "/gone", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			it := f.newItem(t, tt.url)
			j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusFailed)
			assert.Equal(t, 1, j.Attempts, "not retried")
			assert.Contains(t, j.LastError, tt.reason)
			assert.True(t, strings.HasPrefix(j.LastError, "enrich item "), "the reason, without River's type name: %s", j.LastError)
			assert.NotNil(t, j.FinalizedAt)
			res := resultOf(t, j)
			assert.Equal(t, "failed", res["outcome"])
			assert.Contains(t, res["reason"], tt.reason)
			got := f.getItem(t, it.ID)
			assert.Equal(t, int64(1), got.Version, "the item is untouched")
			assert.JSONEq(t, `{}`, string(got.Metadata))
		})
	}
}

func TestEnrichURL_LoopbackIsRefusedWithoutTheTestSetting(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, hits := site(t)
	p := f.testHandlers()
	p.Fetch.AllowLoopback = false // the production setting
	f.startWorker(t, p)

	it := f.newItem(t, base+"/article")
	j := f.waitStatus(t, f.onlyJob(t, it.ID).ID, jobs.StatusFailed)
	assert.Contains(t, j.LastError, "blocked address")
	assert.Zero(t, hitsOf(hits, "/article"), "nothing reached the loopback server")
}

func TestEnrichURL_ItemDeletedOrWithoutURLIsSkipped(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base, hits := site(t)

	deleted := f.newItem(t, base+"/article")
	deletedJob := f.onlyJob(t, deleted.ID)
	require.NoError(t, f.env.Items.Delete(context.Background(), f.owner.ID, deleted.ID))

	noURL := f.newItem(t, base+"/article")
	noURLJob := f.onlyJob(t, noURL.ID)
	empty := ""
	_, err := f.env.Items.Update(context.Background(), f.owner.ID, noURL.ID, item.UpdateParams{SourceURL: &empty})
	require.NoError(t, err)

	f.startWorker(t, f.testHandlers())
	j := f.waitStatus(t, noURLJob.ID, jobs.StatusSucceeded)
	assert.Equal(t, map[string]any{"outcome": "skipped", "reason": "the item has no source_url"}, resultOf(t, j))

	// The deleted item's job stays visible to the collection's members and
	// completes with nothing to do.
	j = f.waitStatus(t, deletedJob.ID, jobs.StatusSucceeded)
	assert.Equal(t, "skipped", resultOf(t, j)["outcome"])
	assert.Zero(t, hitsOf(hits, "/article"), "nothing was fetched")
}
