package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Kafka security: how Atlas' Kafka clients authenticate the brokers (TLS
// with ATLAS_KAFKA_CA_FILE, or the system's trust store) and themselves
// (SASL). Google Cloud Managed Service for Apache Kafka takes SASL_SSL with
// OAUTHBEARER and Google's tokens (method google) or PLAIN with a service
// account's email and its base64 key file; a self-hosted cluster may use any
// of these. See README.md (Configuration) for every combination.

// Kafka security protocols (ATLAS_KAFKA_SECURITY_PROTOCOL).
const (
	KafkaPlaintext     = "PLAINTEXT"
	KafkaSSL           = "SSL"
	KafkaSASLPlaintext = "SASL_PLAINTEXT"
	KafkaSASLSSL       = "SASL_SSL"
)

// Kafka SASL mechanisms (ATLAS_KAFKA_SASL_MECHANISM).
const (
	KafkaPlain       = "PLAIN"
	KafkaSCRAMSHA256 = "SCRAM-SHA-256"
	KafkaSCRAMSHA512 = "SCRAM-SHA-512"
	KafkaOAuthBearer = "OAUTHBEARER"
)

// Where OAUTHBEARER tokens come from (ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD).
const (
	// OAuthGoogle: Google's Application Default Credentials, formatted for
	// Google's managed Kafka.
	OAuthGoogle = "google"
	// OAuthOIDC: librdkafka's client-credentials grant against
	// ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL.
	OAuthOIDC = "oidc"
	// OAuthUnsecuredJWT: unsigned tokens for Kafka's unsecured validator
	// (local brokers and tests; refused when ATLAS_ENV=production).
	OAuthUnsecuredJWT = "unsecured-jwt"
)

// KafkaSecurity is the TLS and SASL part of the configuration, shared by
// every Kafka client of every process.
type KafkaSecurity struct {
	KafkaSecurityProtocol string `env:"ATLAS_KAFKA_SECURITY_PROTOCOL" envDefault:"PLAINTEXT" json:"kafka_security_protocol"`
	// KafkaCAFile is a PEM bundle of the CAs that sign the brokers'
	// certificates (SSL, SASL_SSL); empty means the system's trust store.
	KafkaCAFile       string `env:"ATLAS_KAFKA_CA_FILE" json:"kafka_ca_file,omitempty"`
	KafkaSASLMech     string `env:"ATLAS_KAFKA_SASL_MECHANISM" json:"kafka_sasl_mechanism,omitempty"`
	KafkaSASLUsername string `env:"ATLAS_KAFKA_SASL_USERNAME" json:"kafka_sasl_username,omitempty"`
	KafkaSASLPassword Secret `env:"ATLAS_KAFKA_SASL_PASSWORD" json:"kafka_sasl_password,omitempty"`
	// KafkaOAuthMethod says where OAUTHBEARER tokens come from: google,
	// oidc or unsecured-jwt.
	KafkaOAuthMethod string `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD" json:"kafka_oauthbearer_method,omitempty"`
	// KafkaOAuthPrincipal is the token's subject: required for
	// unsecured-jwt; for google, it overrides the service account email
	// found in the credentials.
	KafkaOAuthPrincipal   string `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL" json:"kafka_oauthbearer_principal,omitempty"`
	KafkaOIDCTokenURL     string `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL" json:"kafka_oauthbearer_token_url,omitempty"`
	KafkaOIDCClientID     string `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID" json:"kafka_oauthbearer_client_id,omitempty"`
	KafkaOIDCClientSecret Secret `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET" json:"kafka_oauthbearer_client_secret,omitempty"`
	KafkaOIDCScope        string `env:"ATLAS_KAFKA_SASL_OAUTHBEARER_SCOPE" json:"kafka_oauthbearer_scope,omitempty"`
}

// kafkaSecretVars may be given as <NAME>_FILE.
var kafkaSecretVars = []string{"ATLAS_KAFKA_SASL_PASSWORD", "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET"}

// KafkaSASL reports whether the protocol authenticates with SASL.
func (k KafkaSecurity) KafkaSASL() bool {
	return k.KafkaSecurityProtocol == KafkaSASLPlaintext || k.KafkaSecurityProtocol == KafkaSASLSSL
}

// KafkaTLS reports whether the protocol encrypts with TLS.
func (k KafkaSecurity) KafkaTLS() bool {
	return k.KafkaSecurityProtocol == KafkaSSL || k.KafkaSecurityProtocol == KafkaSASLSSL
}

// validateKafkaSecurity checks that the settings make one coherent choice,
// with one error per bad combination, and normalises the protocol and
// mechanism to upper case and the method to lower case.
func (c *Config) validateKafkaSecurity() error {
	k := &c.KafkaSecurity
	k.KafkaSecurityProtocol = strings.ToUpper(strings.TrimSpace(k.KafkaSecurityProtocol))
	k.KafkaSASLMech = strings.ToUpper(strings.TrimSpace(k.KafkaSASLMech))
	k.KafkaOAuthMethod = strings.ToLower(strings.TrimSpace(k.KafkaOAuthMethod))
	switch k.KafkaSecurityProtocol {
	case KafkaPlaintext, KafkaSSL, KafkaSASLPlaintext, KafkaSASLSSL:
	default:
		return fmt.Errorf("ATLAS_KAFKA_SECURITY_PROTOCOL: must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got %q", k.KafkaSecurityProtocol)
	}
	if k.KafkaCAFile != "" {
		if !k.KafkaTLS() {
			return fmt.Errorf("ATLAS_KAFKA_CA_FILE: only used with ATLAS_KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL, got %s", k.KafkaSecurityProtocol)
		}
		if _, err := ReadCAFile(k.KafkaCAFile); err != nil {
			return fmt.Errorf("ATLAS_KAFKA_CA_FILE: %w", err)
		}
	}
	if !k.KafkaSASL() {
		for name, v := range map[string]string{
			"ATLAS_KAFKA_SASL_MECHANISM": k.KafkaSASLMech, "ATLAS_KAFKA_SASL_USERNAME": k.KafkaSASLUsername,
			"ATLAS_KAFKA_SASL_PASSWORD": k.KafkaSASLPassword.Value(), "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD": k.KafkaOAuthMethod,
		} {
			if v != "" {
				return fmt.Errorf("%s: needs ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT, got %s", name, k.KafkaSecurityProtocol)
			}
		}
		return nil
	}
	switch k.KafkaSASLMech {
	case "":
		return fmt.Errorf("ATLAS_KAFKA_SASL_MECHANISM: required with ATLAS_KAFKA_SECURITY_PROTOCOL=%s (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)", k.KafkaSecurityProtocol)
	case KafkaPlain, KafkaSCRAMSHA256, KafkaSCRAMSHA512:
		return c.validateKafkaPassword()
	case KafkaOAuthBearer:
		return c.validateKafkaOAuth()
	default:
		return fmt.Errorf("ATLAS_KAFKA_SASL_MECHANISM: must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, got %q", k.KafkaSASLMech)
	}
}

func (c *Config) validateKafkaPassword() error {
	k := c.KafkaSecurity
	switch {
	case k.KafkaSASLUsername == "":
		return fmt.Errorf("ATLAS_KAFKA_SASL_USERNAME: required with ATLAS_KAFKA_SASL_MECHANISM=%s", k.KafkaSASLMech)
	case k.KafkaSASLPassword == "":
		return fmt.Errorf("ATLAS_KAFKA_SASL_PASSWORD: required with ATLAS_KAFKA_SASL_MECHANISM=%s (or use ATLAS_KAFKA_SASL_PASSWORD_FILE)", k.KafkaSASLMech)
	case k.KafkaOAuthMethod != "":
		return fmt.Errorf("ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: only with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER, got %s", k.KafkaSASLMech)
	case k.KafkaSASLMech == KafkaPlain && !k.KafkaTLS() && c.Env == EnvProduction:
		return errors.New("ATLAS_KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT with PLAIN sends the password in clear; use SASL_SSL when ATLAS_ENV=production")
	}
	return nil
}

func (c *Config) validateKafkaOAuth() error {
	k := c.KafkaSecurity
	if k.KafkaSASLUsername != "" || k.KafkaSASLPassword != "" {
		return errors.New("ATLAS_KAFKA_SASL_USERNAME and ATLAS_KAFKA_SASL_PASSWORD: not used with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER (tokens come from ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD)")
	}
	oidcSet := k.KafkaOIDCTokenURL != "" || k.KafkaOIDCClientID != "" || k.KafkaOIDCClientSecret != "" || k.KafkaOIDCScope != ""
	switch k.KafkaOAuthMethod {
	case "":
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: required with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER (google, oidc or unsecured-jwt)")
	case OAuthGoogle:
		if oidcSet {
			return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET and _SCOPE: only with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc")
		}
	case OAuthUnsecuredJWT:
		switch {
		case c.Env == EnvProduction:
			return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: unsecured-jwt (unsigned tokens) is refused when ATLAS_ENV=production")
		case k.KafkaOAuthPrincipal == "":
			return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt (the token's subject)")
		case oidcSet:
			return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET and _SCOPE: only with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc")
		}
	case OAuthOIDC:
		return c.validateKafkaOIDC()
	default:
		return fmt.Errorf("ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: must be google, oidc or unsecured-jwt, got %q", k.KafkaOAuthMethod)
	}
	return nil
}

func (c *Config) validateKafkaOIDC() error {
	k := c.KafkaSecurity
	u, err := url.Parse(k.KafkaOIDCTokenURL)
	switch {
	case k.KafkaOIDCTokenURL == "":
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: must be an https URL, got %q", k.KafkaOIDCTokenURL)
	case u.Scheme == "http" && c.Env == EnvProduction:
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: must be https when ATLAS_ENV=production (the client secret travels to it)")
	case k.KafkaOIDCClientID == "":
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc")
	case k.KafkaOIDCClientSecret == "":
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc (or use ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE)")
	case k.KafkaOAuthPrincipal != "":
		return errors.New("ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL: not used with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc (the token endpoint names the subject)")
	}
	return nil
}
