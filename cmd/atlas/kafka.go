package main

import (
	"time"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events/broker"
)

// unsecuredTokenLifetime is how long an unsecured-jwt token is valid; the
// client asks for a new one at 80% of it.
const unsecuredTokenLifetime = time.Hour

// kafkaSecurity is the TLS and SASL part of the configuration as every Kafka
// client of the process takes it. A google token source looks its
// credentials up at its first token, so a process without them fails its
// first Kafka call (and /ready) with the reason, not its start.
func kafkaSecurity(cfg config.Config) broker.Security {
	k := cfg.KafkaSecurity
	sec := broker.Security{
		Protocol:  k.KafkaSecurityProtocol,
		Mechanism: k.KafkaSASLMech,
		Username:  k.KafkaSASLUsername,
		Password:  k.KafkaSASLPassword.Value(),
		CAFile:    k.KafkaCAFile,
	}
	if k.KafkaSASLMech != config.KafkaOAuthBearer {
		return sec
	}
	switch k.KafkaOAuthMethod {
	case config.OAuthGoogle:
		sec.TokenFunc = broker.GoogleTokenFunc(k.KafkaOAuthPrincipal)
	case config.OAuthUnsecuredJWT:
		sec.TokenFunc = broker.UnsecuredJWTTokenFunc(k.KafkaOAuthPrincipal, unsecuredTokenLifetime)
	case config.OAuthOIDC:
		sec.OIDC = broker.OIDC{
			TokenURL:     k.KafkaOIDCTokenURL,
			ClientID:     k.KafkaOIDCClientID,
			ClientSecret: k.KafkaOIDCClientSecret.Value(),
			Scope:        k.KafkaOIDCScope,
		}
	}
	return sec
}
