package linkcheck_test

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/linkcheck"
	"github.com/atlasapp/atlas/testfactory"
)

// clock is a test's time, moved on by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a database with an owner's collection, and a checker on it
// whose requests may reach loopback (the test servers) and nothing else
// the guard refuses.
type fixture struct {
	env        *testfactory.Env
	clock      *clock
	owner      testfactory.User
	collection uuid.UUID
	checker    *linkcheck.Checker
}

const (
	testTimeout = time.Second
	confirm     = time.Hour
)

func setup(t *testing.T, tune ...func(*linkcheck.Params)) fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	env := testfactory.New(t, testfactory.Opts{NowFunc: clk.Now})
	owner := env.NewUser(t)
	p := linkcheck.Params{Items: env.Items, Interval: 7 * 24 * time.Hour, ConfirmAfter: confirm, Timeout: testTimeout,
		HostInterval: time.Millisecond, NowFunc: clk.Now,
		Fetch: enrich.FetcherOpts{AllowLoopback: true, ResolveFunc: func(_ context.Context, host string) ([]netip.Addr, error) {
			// Every test name (IDNs included, as punycode) is this machine.
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}}}
	for _, f := range tune {
		f(&p)
	}
	return fixture{env: env, clock: clk, owner: owner, collection: env.NewCollection(t, owner).ID, checker: linkcheck.New(p)}
}

// save adds an item with the link.
func (f fixture) save(t *testing.T, link string) item.Item {
	t.Helper()
	return f.env.NewItem(t, f.owner, f.collection, item.CreateParams{SourceURL: link})
}

// sweep runs one sweep now.
func (f fixture) sweep(t *testing.T) linkcheck.SweepResult {
	t.Helper()
	res, err := f.checker.Sweep(context.Background())
	require.NoError(t, err)
	return res
}

// later moves the clock past the next check of every link (confirmation
// checks and the weekly ones alike).
func (f fixture) later(d time.Duration) { f.clock.Advance(d) }

// link reads an item's link health as its owner sees it.
func (f fixture) link(t *testing.T, it item.Item) item.LinkHealth {
	t.Helper()
	got, err := f.env.Items.Get(context.Background(), f.owner.ID, it.ID)
	require.NoError(t, err)
	if got.Link == nil {
		return item.LinkHealth{Status: item.LinkUnknown}
	}
	return *got.Link
}

// history reads an item's link checks, newest first.
func (f fixture) history(t *testing.T, it item.Item) []item.LinkCheck {
	t.Helper()
	h, err := f.env.Items.LinkHistory(context.Background(), f.owner.ID, it.ID)
	require.NoError(t, err)
	return h
}

// changes counts the item's ItemLinkStatusChanged events.
func (f fixture) changes(t *testing.T, it item.Item) []testfactory.OutboxEvent {
	t.Helper()
	return f.env.Outbox(t, testfactory.OutboxFilter{EntityID: &it.ID, Type: events.ItemLinkStatusChanged})
}

// hostPort is the host:port of a test server's listener.
func hostPort(l net.Listener) string { return l.Addr().String() }
