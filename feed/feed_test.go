package feed_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/feed"
)

func sample() feed.Feed {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return feed.Feed{ID: "urn:uuid:" + uuid.NewString(), Title: "Reading list", Link: "https://atlas.test/c", Self: "https://atlas.test/f",
		Updated: at, Entries: []feed.Entry{{ID: uuid.New(), Title: "One", Link: "https://example.com/1", Published: at, Updated: at.Add(time.Hour)}}}
}

func TestETag_ChangesWithWhatTheFeedSaysOnly(t *testing.T) {
	t.Parallel()
	f := sample()
	etag := f.ETag(feed.Atom)
	require.Equal(t, etag, f.ETag(feed.Atom), "stable")
	require.NotEqual(t, etag, f.ETag(feed.RSS), "per format")
	for name, change := range map[string]func(*feed.Feed){
		"title":        func(f *feed.Feed) { f.Title = "Renamed" },
		"entry title":  func(f *feed.Feed) { f.Entries[0].Title = "Changed" },
		"entry update": func(f *feed.Feed) { f.Entries[0].Updated = f.Entries[0].Updated.Add(time.Microsecond) },
		"entry tags":   func(f *feed.Feed) { f.Entries[0].Tags = []string{"go"} },
		"entry added":  func(f *feed.Feed) { f.Entries = append(f.Entries, feed.Entry{ID: uuid.New()}) },
		"entry gone":   func(f *feed.Feed) { f.Entries = nil },
	} {
		g := f
		g.Entries = append([]feed.Entry(nil), f.Entries...)
		change(&g)
		require.NotEqual(t, etag, g.ETag(feed.Atom), name)
	}
}

func TestServe_ConditionalRequests(t *testing.T) {
	t.Parallel()
	f := sample()
	etag := f.ETag(feed.JSON)
	lastMod := f.Entries[0].Updated.Format(http.TimeFormat)
	for name, tc := range map[string]struct {
		headers map[string]string
		want    int
	}{
		"plain":                      {nil, http.StatusOK},
		"matching etag":              {map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		"star":                       {map[string]string{"If-None-Match": "*"}, http.StatusNotModified},
		"other etag":                 {map[string]string{"If-None-Match": `"x"`}, http.StatusOK},
		"not modified since":         {map[string]string{"If-Modified-Since": lastMod}, http.StatusNotModified},
		"modified since":             {map[string]string{"If-Modified-Since": f.Updated.Format(http.TimeFormat)}, http.StatusOK},
		"etag wins over date":        {map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": lastMod}, http.StatusOK},
		"unparseable date is no 304": {map[string]string{"If-Modified-Since": "yesterday"}, http.StatusOK},
	} {
		r := httptest.NewRequest(http.MethodGet, "/f", nil)
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		require.NoError(t, feed.Serve(w, r, f, feed.JSON, "private, no-cache"))
		require.Equal(t, tc.want, w.Code, name)
		require.Equal(t, etag, w.Header().Get("ETag"), name)
		require.Equal(t, lastMod, w.Header().Get("Last-Modified"), name)
		if tc.want == http.StatusNotModified {
			require.Empty(t, w.Body.Bytes(), name)
		} else {
			require.Equal(t, "application/feed+json; charset=utf-8", w.Header().Get("Content-Type"), name)
		}
	}
}
