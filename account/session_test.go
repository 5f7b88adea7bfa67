package account_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db/dbtest"
	"github.com/atlasapp/atlas/events"
)

// recorded keeps the envelopes the service records (the outbox's place).
type recorded struct {
	mu   sync.Mutex
	envs []events.Envelope
}

func (r *recorded) Enqueue(_ context.Context, _ pgx.Tx, envs ...events.Envelope) error {
	return r.Queue(nil, envs...)
}

func (r *recorded) Queue(_ *pgx.Batch, envs ...events.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.envs = append(r.envs, envs...)
	return nil
}

// counter counts the statements sent to Postgres.
type counter struct{ n atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

type bundle struct {
	svc   *account.Service
	out   *recorded
	ticks *counter
	now   time.Time
	mu    sync.Mutex
	// newService builds another Service on the same database (another
	// replica, with a cache of its own).
	newService func() *account.Service
}

func (b *bundle) clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *bundle) advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = b.now.Add(d)
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{out: &recorded{}, ticks: &counter{}, now: time.Now().UTC()}
	pool := dbtest.New(t, dbtest.Opts{Tracer: b.ticks})
	tokens, err := account.NewTokenIssuer(account.TokenParams{Secret: []byte("0123456789abcdef0123456789abcdef"), Issuer: "atlas", TTL: 15 * time.Minute, NowFunc: b.clock})
	require.NoError(t, err)
	codec, err := cursor.NewCodec([]byte("0123456789abcdef"))
	require.NoError(t, err)
	b.newService = func() *account.Service {
		svc, err := account.NewService(account.ServiceParams{Pool: pool, Tokens: tokens, Cursors: codec, Recorder: events.NewRecorder(b.out, b.clock),
			Hash: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, NowFunc: b.clock})
		require.NoError(t, err)
		return svc
	}
	b.svc = b.newService()
	_, err = b.svc.Register(context.Background(), account.RegisterParams{Email: "ada@example.com", Password: "correct horse battery"})
	require.NoError(t, err)
	return b
}

func TestRefresh_TwoConcurrentUsesOfOneTokenEndTheSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	in, _, err := b.svc.Login(ctx, "ada@example.com", "correct horse battery", account.Client{})
	require.NoError(t, err)

	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.svc.Refresh(ctx, in.RefreshToken, account.Client{}); err == nil {
				wins.Add(1)
			} else {
				assert.ErrorIs(t, err, atlas.ErrUnauthenticated) // off the test goroutine: no require
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), wins.Load(), "the token works once")
	_, err = b.svc.Authenticate(ctx, in.Access.AccessToken)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "the second use is reuse: the whole session ended")
	require.Equal(t, events.RefreshTokenReuseDetected, b.out.envs[len(b.out.envs)-1].Type)
}

func TestAuthenticate_SessionCheckIsOneLookupRememberedForAtMostFiveSeconds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	in, _, err := b.svc.Login(ctx, "ada@example.com", "correct horse battery", account.Client{})
	require.NoError(t, err)
	other, _, err := b.svc.Login(ctx, "ada@example.com", "correct horse battery", account.Client{})
	require.NoError(t, err)

	before := b.ticks.n.Load()
	_, err = b.svc.Authenticate(ctx, in.Access.AccessToken)
	require.NoError(t, err)
	require.Equal(t, int64(1), b.ticks.n.Load()-before, "one lookup")
	before = b.ticks.n.Load()
	_, err = b.svc.Authenticate(ctx, in.Access.AccessToken)
	require.NoError(t, err)
	require.Zero(t, b.ticks.n.Load()-before, "then remembered")

	replica := b.newService()
	p, err := replica.Authenticate(ctx, other.Access.AccessToken)
	require.NoError(t, err)
	require.NoError(t, replica.RevokeOtherSessions(ctx, p)) // ends in's session
	_, err = replica.Authenticate(ctx, in.Access.AccessToken)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "at once on the replica that revoked it")
	// This replica's memory of the session is all that still says yes.
	b.advance(4 * time.Second)
	_, err = b.svc.Authenticate(ctx, in.Access.AccessToken)
	require.NoError(t, err, "within 5 s the remembered answer may still be used")
	b.advance(time.Second)
	_, err = b.svc.Authenticate(ctx, in.Access.AccessToken)
	require.ErrorIs(t, err, atlas.ErrUnauthenticated, "after 5 s the revocation is seen")
}
