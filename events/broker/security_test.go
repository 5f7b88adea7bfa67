package broker_test

// Against the secured broker of scripts/kafka secure-start (SASL_SSL with
// PLAIN and unsecured OAUTHBEARER, a CA made at its start): events travel
// through TLS and SASL, and a client the broker refuses fails fast, saying
// why.

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/events/broker/brokertest"
)

// refusedWithin bounds how long a refused client may take to say so: far
// below every timeout that would otherwise end its call (30 s).
const refusedWithin = 10 * time.Second

// countingTokens returns unsecured JWTs for principal and counts the calls.
func countingTokens(principal string, lifetime time.Duration, calls *atomic.Int32) broker.TokenFunc {
	next := broker.UnsecuredJWTTokenFunc(principal, lifetime)
	return func(ctx context.Context) (kafka.OAuthBearerToken, error) {
		calls.Add(1)
		return next(ctx)
	}
}

func oauthSecurity(s brokertest.SecureBroker, tokens broker.TokenFunc) broker.Security {
	return broker.Security{Protocol: broker.ProtocolSASLSSL, Mechanism: broker.MechanismOAuthBearer,
		CAFile: s.CAFile, TokenFunc: tokens}
}

// roundTrip creates a topic through sec, publishes envelopes to it and
// consumes them back with a consumer group, all through sec.
func roundTrip(t *testing.T, brokers string, sec broker.Security) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	topic, dlq := "secure."+uuid.NewString()[:8], "secure.dlq."+uuid.NewString()[:8]
	require.NoError(t, broker.EnsureTopics(ctx, brokers, sec, broker.TopicSpec{Name: topic, Partitions: 2}, broker.TopicSpec{Name: dlq, Partitions: 1}))

	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: brokers, Security: sec, Topic: topic, MessageTimeout: 20 * time.Second})
	require.NoError(t, err)
	defer p.Close()
	sent := make([]events.Envelope, 5)
	for i := range sent {
		sent[i] = brokertest.ItemEnvelope(t, uuid.New(), map[string]any{"seq": i})
	}
	n, err := p.PublishBatch(ctx, sent)
	require.NoError(t, err)
	require.Equal(t, len(sent), n)

	var mu sync.Mutex
	got := map[uuid.UUID]bool{}
	c, err := broker.NewConsumer(broker.ConsumerConfig{
		Brokers: brokers, Security: sec, GroupID: "secure-" + uuid.NewString(), Topics: []string{topic},
		DeadLetterTopic: dlq, BatchWait: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
	}, func(_ context.Context, batch []broker.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range batch {
			got[d.Envelope.EventID] = true
		}
		return nil
	})
	require.NoError(t, err)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(cctx) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == len(sent)
	}, waitTimeout, 20*time.Millisecond, "the consumer must receive every envelope through %s", sec.Mechanism)
	for _, env := range sent {
		assert.True(t, got[env.EventID], "event %s not consumed", env.EventID)
	}
	stop()
	require.NoError(t, <-done)
}

func TestSecured_PlainOverTLSProducesAndConsumes(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	roundTrip(t, s.Brokers, s.Plain())
	require.NoError(t, broker.Ping(context.Background(), s.Brokers, s.Plain()))
}

func TestSecured_OAuthBearerProducesAndConsumes(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	var calls atomic.Int32
	roundTrip(t, s.Brokers, oauthSecurity(s, countingTokens("atlas-test", time.Hour, &calls)))
	// Admin, producer, consumer and dead-letter producer each got tokens
	// from Go.
	assert.GreaterOrEqual(t, calls.Load(), int32(4))
}

func TestSecured_OAuthBearerTokensAreRefreshed(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	var calls atomic.Int32
	// librdkafka asks for a new token at 80% of a token's lifetime: a
	// 2 s token is refreshed through the producer's events within seconds.
	sec := oauthSecurity(s, countingTokens("atlas-refresh", 2*time.Second, &calls))
	p, err := broker.NewProducer(broker.ProducerConfig{Brokers: s.Brokers, Security: sec, Topic: "unused", Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer p.Close()
	// One token at creation, one for librdkafka's first request, then
	// refreshes.
	require.Eventually(t, func() bool { return calls.Load() >= 4 }, 15*time.Second, 50*time.Millisecond,
		"tokens must be refreshed when librdkafka asks (got %d calls)", calls.Load())
}

func TestSecured_UntrustedCertificateFailsFast(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	sec := s.Plain()
	sec.CAFile = s.OtherCAFile
	start := time.Now()
	err := broker.Ping(context.Background(), s.Brokers, sec)
	require.Error(t, err)
	assert.Less(t, time.Since(start), refusedWithin, "a TLS failure must not wait for a timeout")
	assert.True(t, errors.Is(err, broker.ErrAuth), "got %v", err)
	assert.Contains(t, err.Error(), "certificate verify failed")

	start = time.Now()
	err = broker.EnsureTopics(context.Background(), s.Brokers, sec, broker.TopicSpec{Name: "secure.never"})
	require.Error(t, err)
	assert.Less(t, time.Since(start), refusedWithin)
	assert.True(t, errors.Is(err, broker.ErrAuth), "got %v", err)
	assert.Contains(t, err.Error(), "certificate verify failed")
}

func TestSecured_WrongPasswordFailsFast(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	sec := s.Plain()
	sec.Password += "-wrong"
	start := time.Now()
	err := broker.EnsureTopics(context.Background(), s.Brokers, sec, broker.TopicSpec{Name: "secure.never"})
	require.Error(t, err)
	assert.Less(t, time.Since(start), refusedWithin, "rejected credentials must not wait for a timeout")
	assert.True(t, errors.Is(err, broker.ErrAuth), "got %v", err)
	assert.Contains(t, err.Error(), "Invalid username or password")
	assert.NotContains(t, err.Error(), sec.Password, "the password must not be printed")
}

func TestSecured_NoTokenFailsFast(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	sec := oauthSecurity(s, func(context.Context) (kafka.OAuthBearerToken, error) {
		return kafka.OAuthBearerToken{}, errors.New("no credentials here")
	})
	start := time.Now()
	err := broker.Ping(context.Background(), s.Brokers, sec)
	require.Error(t, err)
	assert.Less(t, time.Since(start), refusedWithin)
	assert.True(t, errors.Is(err, broker.ErrAuth), "got %v", err)
	assert.Contains(t, err.Error(), "no credentials here")
}

// TestSecured_OIDCTokensFromAnEndpoint: with OIDC settings, librdkafka itself
// fetches tokens with the client-credentials grant (here from a token
// endpoint in the test, handing out tokens the broker's unsecured validator
// takes) and the events get through.
func TestSecured_OIDCTokensFromAnEndpoint(t *testing.T) {
	t.Parallel()
	s := brokertest.Secure(t)
	var grants atomic.Int32
	tokens := broker.UnsecuredJWTTokenFunc("atlas-oidc", time.Hour)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || user != "atlas-client" || pass != "client-secret" ||
			r.PostForm.Get("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		grants.Add(1)
		tok, err := tokens(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok.TokenValue, "token_type": "bearer", "expires_in": 3600})
	}))
	t.Cleanup(endpoint.Close)
	sec := broker.Security{Protocol: broker.ProtocolSASLSSL, Mechanism: broker.MechanismOAuthBearer, CAFile: s.CAFile,
		OIDC: broker.OIDC{TokenURL: endpoint.URL + "/token", ClientID: "atlas-client", ClientSecret: "client-secret"}}
	roundTrip(t, s.Brokers, sec)
	assert.Positive(t, grants.Load(), "tokens came from the endpoint")

	wrong := sec
	wrong.OIDC.ClientSecret = "not-the-secret"
	start := time.Now()
	err := broker.Ping(context.Background(), s.Brokers, wrong)
	require.Error(t, err)
	assert.Less(t, time.Since(start), refusedWithin, "a token endpoint refusing the client must not wait for a timeout")
	assert.True(t, errors.Is(err, broker.ErrAuth), "got %v", err)
	assert.Contains(t, err.Error(), "invalid_client", "the endpoint's answer says why")
}
