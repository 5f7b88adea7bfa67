package broker

// Security: how every Kafka client Atlas creates reaches a secured cluster.
// Each constructor in this package builds its librdkafka configuration with
// Security.configMap and hands new clients their first OAUTHBEARER token with
// Security.refreshToken, so TLS and SASL are applied in one place, alike for
// producers, consumers, admin clients and the readiness check.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Security protocols (librdkafka's security.protocol).
const (
	ProtocolPlaintext     = "PLAINTEXT"
	ProtocolSSL           = "SSL"
	ProtocolSASLPlaintext = "SASL_PLAINTEXT"
	ProtocolSASLSSL       = "SASL_SSL"
)

// SASL mechanisms (librdkafka's sasl.mechanism).
const (
	MechanismPlain       = "PLAIN"
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	MechanismSCRAMSHA512 = "SCRAM-SHA-512"
	MechanismOAuthBearer = "OAUTHBEARER"
)

// TokenFunc returns an OAUTHBEARER token for the brokers. It is called when
// a client is created and again whenever librdkafka asks for a fresh token
// (at 80% of the previous one's lifetime); it must honour ctx.
type TokenFunc func(ctx context.Context) (kafka.OAuthBearerToken, error)

// Security says how a client authenticates the brokers (TLS, with CAFile)
// and itself (SASL). The zero value is PLAINTEXT: no TLS, no SASL.
// config.KafkaSecurity validates the combinations before one is built.
type Security struct {
	// Protocol is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; empty means
	// PLAINTEXT.
	Protocol string
	// Mechanism is the SASL mechanism (PLAIN, SCRAM-SHA-256/512,
	// OAUTHBEARER) with a SASL protocol.
	Mechanism string
	// Username and Password are the PLAIN or SCRAM credentials.
	Username, Password string
	// CAFile is a PEM bundle of the CAs that sign the brokers' certificates;
	// empty means the system's trust store. Broker host names are verified
	// against their certificates either way.
	CAFile string
	// OIDC, when TokenURL is set, makes librdkafka itself fetch OAUTHBEARER
	// tokens with the OAuth 2 client-credentials grant.
	OIDC OIDC
	// TokenFunc supplies OAUTHBEARER tokens from Go (Google's Application
	// Default Credentials, unsecured JWTs for a local broker).
	TokenFunc TokenFunc
}

// OIDC is librdkafka's built-in client-credentials token flow
// (sasl.oauthbearer.method=oidc).
type OIDC struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scope is optional, space-separated.
	Scope string
}

// tokenTimeout bounds one call of a TokenFunc.
const tokenTimeout = 10 * time.Second

// usesTLS reports whether the protocol encrypts.
func (s Security) usesTLS() bool {
	return s.Protocol == ProtocolSSL || s.Protocol == ProtocolSASLSSL
}

// configMap returns the librdkafka configuration of a client of brokers:
// base, then the security settings on top, so no tuning property can turn
// them off.
func (s Security) configMap(brokers string, base kafka.ConfigMap) kafka.ConfigMap {
	conf := kafka.ConfigMap{}
	for k, v := range base {
		conf[k] = v
	}
	conf["bootstrap.servers"] = brokers
	protocol := s.Protocol
	if protocol == "" {
		protocol = ProtocolPlaintext
	}
	conf["security.protocol"] = protocol
	if s.usesTLS() {
		// Host names are checked against the certificates (librdkafka's
		// default, set here so no property can turn it off).
		conf["ssl.endpoint.identification.algorithm"] = "https"
		if s.CAFile != "" {
			conf["ssl.ca.location"] = s.CAFile
		} else {
			// The static librdkafka build has no compiled-in CA path:
			// probe the usual system locations.
			conf["ssl.ca.location"] = "probe"
		}
	}
	if s.Mechanism == "" {
		return conf
	}
	conf["sasl.mechanism"] = s.Mechanism
	switch {
	case s.Mechanism != MechanismOAuthBearer:
		conf["sasl.username"] = s.Username
		conf["sasl.password"] = s.Password
	case s.OIDC.TokenURL != "":
		conf["sasl.oauthbearer.method"] = "oidc"
		conf["sasl.oauthbearer.token.endpoint.url"] = s.OIDC.TokenURL
		conf["sasl.oauthbearer.client.id"] = s.OIDC.ClientID
		conf["sasl.oauthbearer.client.secret"] = s.OIDC.ClientSecret
		if s.OIDC.Scope != "" {
			conf["sasl.oauthbearer.scope"] = s.OIDC.Scope
		}
	}
	return conf
}

// tokenSetter is the part of every librdkafka client that takes OAUTHBEARER
// tokens (Producer, Consumer, AdminClient).
type tokenSetter interface {
	SetOAuthBearerToken(kafka.OAuthBearerToken) error
	SetOAuthBearerTokenFailure(errstr string) error
}

// refreshToken hands c a fresh token from s.TokenFunc; without one it does
// nothing. A failure is reported to librdkafka (which asks again in 10 s and
// fails connections meanwhile) and returned, wrapping ErrAuth.
func (s Security) refreshToken(c tokenSetter) error {
	if s.TokenFunc == nil || s.Mechanism != MechanismOAuthBearer {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	tok, err := s.TokenFunc(ctx)
	if err == nil {
		err = c.SetOAuthBearerToken(tok)
	}
	if err != nil {
		_ = c.SetOAuthBearerTokenFailure(err.Error())
		return fmt.Errorf("%w: no OAUTHBEARER token: %v", ErrAuth, err)
	}
	return nil
}

// ErrAuth is wrapped by the errors of clients the brokers refused:
// a TLS handshake that failed (an untrusted certificate, a TLS client
// talking to a plaintext listener), SASL credentials or a token rejected, or
// no token to be had. Such errors do not heal by waiting, so calls that wait
// for the cluster return them at once.
var ErrAuth = errors.New("kafka authentication failed")

// isAuthFailure reports whether a client error is one of those.
func isAuthFailure(e kafka.Error) bool {
	switch e.Code() {
	case kafka.ErrAuthentication, kafka.ErrSsl, kafka.ErrSaslAuthenticationFailed,
		kafka.ErrUnsupportedSaslMechanism, kafka.ErrIllegalSaslState:
		return true
	}
	return false
}

// authError wraps a client error that isAuthFailure as ErrAuth.
func authError(e kafka.Error) error {
	return fmt.Errorf("%w: %s", ErrAuth, e.Error())
}
