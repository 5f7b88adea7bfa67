package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/events/broker"
	"github.com/atlasapp/atlas/ops"
)

// The Kafka edge of every process: the only place where the configuration
// becomes the Kafka client's parameters (app converts the rest), and where
// consumers of the event stream (events.Handler) are subscribed to it.

// unsecuredTokenLifetime is how long an unsecured-jwt token is valid; the
// client asks for a new one at 80% of it.
const unsecuredTokenLifetime = time.Hour

// kafkaCluster is the cluster every Kafka client of the process reaches:
// ATLAS_KAFKA_BROKERS with the TLS and SASL settings.
func kafkaCluster(cfg config.Config) broker.Cluster {
	return broker.Cluster{Brokers: cfg.KafkaBrokers, Security: kafkaSecurity(cfg)}
}

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

// eventTopics are the topics every process that talks to Kafka needs, which
// its start-up creates when missing: the events and their dead letters.
func eventTopics(cfg config.Config) []broker.TopicSpec {
	return []broker.TopicSpec{{Name: cfg.KafkaEventsTopic}, {Name: cfg.KafkaDLQTopic}}
}

// consumerConfig is the Kafka side of the configuration of the events
// consumer group named group: brokers, topics, group membership and, when
// ATLAS_FAULT_CRASH_AFTER_HANDLE is set (scripts/chaos), an exit after the
// first handled batch, before its offsets are committed.
func consumerConfig(cfg config.Config, log *slog.Logger, group string) broker.ConsumerConfig {
	cc := broker.ConsumerConfig{
		Brokers:         cfg.KafkaBrokers,
		Security:        kafkaSecurity(cfg),
		Topics:          []string{cfg.KafkaEventsTopic},
		DeadLetterTopic: cfg.KafkaDLQTopic,
		Properties:      cfg.ConsumerGroupSettings(group),
		Logger:          log,
	}
	if cfg.FaultCrashAfterHandle {
		cc.BeforeCommitFunc = func(records int) {
			log.Warn("fault injection: exiting after a handled batch, before committing its offsets",
				slog.String("consumer_group", group), slog.Int("records", records))
			os.Exit(faultExitCode)
		}
	}
	return cc
}

// faultExitCode is the exit status of a process stopped by fault injection.
const faultExitCode = 86

// subscribe returns the Kafka consumer group member that hands the events
// topic's batches to h (a consumer's events.Handler), recording them on
// metrics under name, with its lag registered there until unregister is
// called. Run it with Run(ctx).
func subscribe(p *proc, group, name string, h events.BatchHandler, metrics *ops.ConsumerMetrics) (c *broker.Consumer, unregister func(), err error) {
	c, err = broker.NewEventsConsumer(consumerConfig(p.cfg, p.log, group), group, metrics.WrapHandler(name, h), nil)
	if err != nil {
		return nil, nil, err
	}
	return c, metrics.RegisterLag(name, c), nil
}
