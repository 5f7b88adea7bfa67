package search

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// DefaultAlias is the alias items are read and written through when IndexOpts.Alias is empty.
const DefaultAlias = "atlas-items"

// DefaultURL is the Elasticsearch address used when IndexOpts.URLs is empty.
const DefaultURL = "http://127.0.0.1:9200"

// Refresh says whether a write waits until its effect is visible to searches.
type Refresh string

const (
	// RefreshNone returns as soon as the write is durable; searches see it after the next periodic
	// refresh (about a second). Use it in production.
	RefreshNone Refresh = ""
	// RefreshWaitFor returns once the write is visible to searches, without forcing a refresh.
	RefreshWaitFor Refresh = "wait_for"
	// RefreshImmediate forces a refresh after the write. Costly; meant for tests.
	RefreshImmediate Refresh = "true"
)

// IndexOpts configures an Index.
type IndexOpts struct {
	// URLs are the Elasticsearch node addresses; default DefaultURL.
	URLs []string
	// Alias is the name readers and writers use; concrete indices are named "<Alias>-<suffix>".
	// Default DefaultAlias.
	Alias string
	// Replicas is the number of replicas of each new concrete index: 0 suits a single node, use at
	// least 1 on a production cluster.
	Replicas int
	// Refresh is the refresh policy of Upsert, Delete and DeleteByCollection; default RefreshNone.
	Refresh Refresh
	// BulkSize is the number of documents per bulk request; default 500.
	BulkSize int
	// Transport is the HTTP transport, the caller's to close; default a clone of
	// http.DefaultTransport that the Index owns and Close releases. With CACert it must be an
	// *http.Transport (or nil).
	Transport http.RoundTripper
	// Username and Password authenticate every request with HTTP Basic; APIKey (the "encoded"
	// base64 id:api_key) with an API key instead. At most one of the two.
	Username string
	Password string
	APIKey   string
	// CACert is PEM: the certificate authorities that sign the cluster's HTTPS certificate,
	// trusted instead of the system's roots. Nil trusts the system's roots.
	CACert []byte
	// NowFunc returns the current time, used to name new concrete indices; default time.Now.
	NowFunc func() time.Time
	// DropDelay is how long Rebuild waits after swapping the alias before it deletes the old
	// index, so that writes other processes resolved against the old index just before the swap
	// still find it; default 2s, negative means no wait.
	DropDelay time.Duration
}

// Index reads and writes item documents through an alias. It is safe for concurrent use.
type Index struct {
	es       *elasticsearch.Client
	alias    string
	replicas int
	refresh  Refresh
	bulkSize int
	now      func() time.Time
	dropWait time.Duration
	// owned is the transport NewIndex made (nil when the caller passed one).
	owned *http.Transport
}

// CheckAlias says why alias cannot name an alias and the indices named after it, or nil.
func CheckAlias(alias string) error {
	if alias != strings.ToLower(alias) || strings.ContainsAny(alias, ` "*\<|,>/?#:`) {
		return fmt.Errorf("invalid alias %q (lower case, no spaces or special characters)", alias)
	}
	return nil
}

// NewIndex returns an Index for the given options. It does not contact Elasticsearch; call
// EnsureIndex at start-up and Ready for readiness checks.
func NewIndex(opts IndexOpts) (*Index, error) {
	if opts.Alias == "" {
		opts.Alias = DefaultAlias
	}
	if err := CheckAlias(opts.Alias); err != nil {
		return nil, fmt.Errorf("new search index: %w", err)
	}
	if len(opts.URLs) == 0 {
		opts.URLs = []string{DefaultURL}
	}
	switch opts.Refresh {
	case RefreshNone, RefreshWaitFor, RefreshImmediate:
	default:
		return nil, fmt.Errorf("new search index: invalid refresh policy %q", opts.Refresh)
	}
	if opts.Replicas < 0 {
		return nil, fmt.Errorf("new search index: negative replica count %d", opts.Replicas)
	}
	if opts.BulkSize <= 0 {
		opts.BulkSize = 500
	}
	if opts.NowFunc == nil {
		opts.NowFunc = time.Now
	}
	switch {
	case opts.DropDelay == 0:
		opts.DropDelay = 2 * time.Second
	case opts.DropDelay < 0:
		opts.DropDelay = 0
	}
	if opts.APIKey != "" && (opts.Username != "" || opts.Password != "") {
		return nil, errors.New("new search index: an API key and a username/password are exclusive")
	}
	// The client would clone http.DefaultTransport itself; cloning it here
	// keeps a handle, so that Close can end its keep-alive connections.
	var owned *http.Transport
	if opts.Transport == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			owned = dt.Clone()
			opts.Transport = owned
		}
	}
	transport, err := trustingTransport(opts.Transport, opts.CACert)
	if err != nil {
		return nil, fmt.Errorf("new search index: %w", err)
	}
	// With a CA the transport is a clone made here: the Index's to close.
	if t, ok := transport.(*http.Transport); ok && (owned != nil || transport != opts.Transport) {
		owned = t
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: opts.URLs,
		Transport: transport,
		Username:  opts.Username,
		Password:  opts.Password,
		APIKey:    opts.APIKey,
	})
	if err != nil {
		return nil, fmt.Errorf("new search index: %w", err)
	}
	return &Index{
		es:       es,
		alias:    opts.Alias,
		replicas: opts.Replicas,
		refresh:  opts.Refresh,
		bulkSize: opts.BulkSize,
		now:      opts.NowFunc,
		dropWait: opts.DropDelay,
		owned:    owned,
	}, nil
}

// Close ends the idle connections of the transport the Index made (each holds
// two goroutines that would otherwise outlive the Index for the transport's
// idle timeout). Call it when the Index's owner stops; a transport passed in
// IndexOpts is left to its owner.
func (ix *Index) Close() {
	if ix.owned != nil {
		ix.owned.CloseIdleConnections()
	}
}

// Alias returns the alias this Index reads and writes through.
func (ix *Index) Alias() string { return ix.alias }

// BuildingAlias returns the alias that marks the concrete index a running Rebuild is loading
// ("<alias>.building"). Every writer, in any process, also writes to the index behind it, so no
// change made during a rebuild is missing from the new index after the swap.
func (ix *Index) BuildingAlias() string { return ix.alias + ".building" }

// Ready reports whether Elasticsearch answers and its cluster health is yellow or green. Without a
// deadline on ctx it gives up after readyTimeout, so a node that accepts connections but never
// answers cannot stall a process's start. Its errors say what a refused credential or an
// untrusted certificate means.
func (ix *Index) Ready(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	var health struct {
		Status string `json:"status"`
	}
	req := esapi.ClusterHealthRequest{Timeout: 2 * time.Second}
	if err := ix.do(ctx, req, &health); err != nil {
		return fmt.Errorf("search ready: %w", explain(err))
	}
	if health.Status != "green" && health.Status != "yellow" {
		return fmt.Errorf("search ready: cluster health is %q", health.Status)
	}
	return nil
}

// EnsureIndex creates the first concrete index ("<alias>-v1") with the alias attached when the alias
// does not exist yet, and otherwise adds the fields of the embedded mapping that the existing
// index lacks (a new field such as content can be added in place; documents indexed before carry
// it once they are written again or `atlas search reindex` runs). It is safe to call from several
// processes at once.
func (ix *Index) EnsureIndex(ctx context.Context) error {
	indices, err := ix.aliasIndices(ctx)
	if err != nil {
		return fmt.Errorf("ensure search index: %w", err)
	}
	if len(indices) > 0 {
		body, err := mappingBody()
		if err != nil {
			return fmt.Errorf("ensure search index: %w", err)
		}
		if err := ix.do(ctx, esapi.IndicesPutMappingRequest{Index: indices, Body: bytes.NewReader(body)}, nil); err != nil {
			return fmt.Errorf("ensure search index: update mapping of %v: %w", indices, err)
		}
		return nil
	}
	name := ix.alias + "-v1"
	body, err := indexBody(ix.replicas, "", ix.alias)
	if err != nil {
		return fmt.Errorf("ensure search index: %w", err)
	}
	err = ix.do(ctx, esapi.IndicesCreateRequest{Index: name, Body: bytes.NewReader(body)}, nil)
	switch {
	case err == nil:
		return nil
	case isErrorType(err, "resource_already_exists_exception"):
		// Another process created it first; attach the alias in case it crashed before doing so.
		actions := []map[string]any{{"add": map[string]any{"index": name, "alias": ix.alias}}}
		if indices, err := ix.aliasIndices(ctx); err == nil && len(indices) > 0 {
			return nil
		}
		if err := ix.updateAliases(ctx, actions); err != nil {
			return fmt.Errorf("ensure search index: attach alias: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("ensure search index: create %s: %w", name, err)
	}
}

// Count returns how many documents the alias' indices hold (as of the last refresh).
func (ix *Index) Count(ctx context.Context) (int64, error) {
	var res struct {
		Count int64 `json:"count"`
	}
	if err := ix.do(ctx, esapi.CountRequest{Index: []string{ix.alias}}, &res); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return res.Count, nil
}

// Refresh makes every write done so far visible to searches. Production code does not need it.
func (ix *Index) Refresh(ctx context.Context) error {
	if err := ix.do(ctx, esapi.IndicesRefreshRequest{Index: []string{ix.alias}}, nil); err != nil {
		return fmt.Errorf("refresh search index: %w", err)
	}
	return nil
}

// DeleteIndices removes the alias and every concrete index named "<alias>-*". It is meant for test
// teardown and for decommissioning, never for normal operation.
func (ix *Index) DeleteIndices(ctx context.Context) error {
	req := esapi.IndicesDeleteRequest{
		Index:             []string{ix.alias + "-*"},
		AllowNoIndices:    ptr(true),
		IgnoreUnavailable: ptr(true),
		ExpandWildcards:   "all",
	}
	if err := ix.do(ctx, req, nil); err != nil && !isErrorType(err, "index_not_found_exception") {
		return fmt.Errorf("delete search indices: %w", err)
	}
	return nil
}

// aliasIndices returns the concrete indices the alias points to (none when it does not exist).
func (ix *Index) aliasIndices(ctx context.Context) ([]string, error) {
	t, err := ix.resolve(ctx)
	if err != nil {
		return nil, err
	}
	return t.live, nil
}

// targets are the concrete indices behind the alias and behind the building alias.
type targets struct {
	live     []string
	building []string
}

// resolve looks up, in one request, which concrete indices the alias and the building alias
// point to (none when an alias does not exist).
func (ix *Index) resolve(ctx context.Context) (targets, error) {
	// The wildcard keeps a missing building alias (the normal case) from turning the answer into
	// a 404; a missing main alias still does, with the indices found listed beside the error.
	req := esapi.IndicesGetAliasRequest{Name: []string{ix.alias, ix.BuildingAlias() + "*"}}
	res, err := req.Do(ctx, ix.es)
	if err != nil {
		return targets{}, fmt.Errorf("get aliases of %s: elasticsearch request: %w", ix.alias, err)
	}
	defer res.Body.Close()
	if res.IsError() && res.StatusCode != http.StatusNotFound {
		return targets{}, fmt.Errorf("get aliases of %s: %w", ix.alias, responseError(res))
	}
	var out map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return targets{}, fmt.Errorf("get aliases of %s: decode answer: %w", ix.alias, err)
	}
	var t targets
	for name, raw := range out {
		if name == "error" || name == "status" {
			continue // the 404 form: {"error": "alias [x] missing", "status": 404, <found indices>}
		}
		var idx struct {
			Aliases map[string]json.RawMessage `json:"aliases"`
		}
		if err := json.Unmarshal(raw, &idx); err != nil {
			return targets{}, fmt.Errorf("get aliases of %s: decode %s: %w", ix.alias, name, err)
		}
		if _, ok := idx.Aliases[ix.alias]; ok {
			t.live = append(t.live, name)
		}
		if _, ok := idx.Aliases[ix.BuildingAlias()]; ok {
			t.building = append(t.building, name)
		}
	}
	slices.Sort(t.live)
	slices.Sort(t.building)
	return t, nil
}

// updateAliases applies alias actions atomically in one _aliases request.
func (ix *Index) updateAliases(ctx context.Context, actions []map[string]any) error {
	body, err := json.Marshal(map[string]any{"actions": actions})
	if err != nil {
		return fmt.Errorf("encode alias actions: %w", err)
	}
	return ix.do(ctx, esapi.IndicesUpdateAliasesRequest{Body: bytes.NewReader(body)}, nil)
}

// newIndexName names a concrete index for a rebuild: "<alias>-<yyyymmddhhmmss>-<random>".
func (ix *Index) newIndexName() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random index suffix: %w", err)
	}
	return fmt.Sprintf("%s-%s-%s", ix.alias, ix.now().UTC().Format("20060102150405"), hex.EncodeToString(b[:])), nil
}

// do performs req and decodes a successful JSON answer into out (when out is not nil). An error
// answer becomes a *ResponseError.
func (ix *Index) do(ctx context.Context, req esapi.Request, out any) error {
	res, err := req.Do(ctx, ix.es)
	if err != nil {
		return fmt.Errorf("elasticsearch request: %w", err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return responseError(res)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	dec := json.NewDecoder(res.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode elasticsearch answer: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// defaultWait bounds server-side waits such as cluster health checks.
const defaultWait = 30 * time.Second

// readyTimeout bounds Ready when its context has no deadline.
const readyTimeout = 10 * time.Second
