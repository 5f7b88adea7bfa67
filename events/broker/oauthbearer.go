package broker

// OAUTHBEARER tokens supplied from Go: Google Cloud's (for Google Cloud
// Managed Service for Apache Kafka) and unsecured JWTs (for a local broker
// with Kafka's unsecured validator, in tests).
//
// Google's managed Kafka does not take a bare OAuth 2 access token. Like
// Google's own client handler (com.google.cloud.hosted.kafka.auth.
// GcpLoginCallbackHandler), Atlas sends a JWT-shaped value of three
// base64url parts: the header {"typ":"JWT","alg":"GOOG_OAUTH2_TOKEN"}, the
// claims {"exp","iat","scope":"kafka","sub":<service account email>}, and the
// access token itself. The broker checks the access token with Google; the
// principal is the service account, which needs roles/managedkafka.client.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"cloud.google.com/go/compute/metadata"
	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// googleScope is the OAuth scope Google's managed Kafka accepts.
const googleScope = "https://www.googleapis.com/auth/cloud-platform"

// GoogleTokenFunc returns a TokenFunc that wraps the access tokens of
// Google's Application Default Credentials (on GKE, the workload's service
// account through Workload Identity) as Google's managed Kafka expects.
// principal is the service account's email; empty means the credentials'
// own (from a key file, an impersonation URL or the metadata server).
// Credentials are looked up at the first call, and access tokens are reused
// until shortly before they expire.
func GoogleTokenFunc(principal string) TokenFunc {
	var (
		mu  sync.Mutex
		src oauth2.TokenSource
		sub = principal
	)
	return func(ctx context.Context) (kafka.OAuthBearerToken, error) {
		mu.Lock()
		defer mu.Unlock()
		if src == nil {
			creds, err := google.FindDefaultCredentials(ctx, googleScope)
			if err != nil {
				return kafka.OAuthBearerToken{}, fmt.Errorf("google application default credentials: %w", err)
			}
			if sub == "" {
				if sub, err = googlePrincipal(ctx, creds.JSON); err != nil {
					return kafka.OAuthBearerToken{}, err
				}
			}
			src = creds.TokenSource
		}
		tok, err := src.Token()
		if err != nil {
			return kafka.OAuthBearerToken{}, fmt.Errorf("google access token: %w", err)
		}
		return googleToken(tok.AccessToken, tok.Expiry, time.Now(), sub)
	}
}

// impersonated finds the service account in an impersonation URL
// (.../serviceAccounts/<email>:generateAccessToken).
var impersonated = regexp.MustCompile(`/serviceAccounts/([^/:]+):generateAccessToken`)

// googlePrincipal is the service account email of a credentials file, or,
// without one (GKE, Compute Engine), the metadata server's default account.
func googlePrincipal(ctx context.Context, credsJSON []byte) (string, error) {
	if len(credsJSON) == 0 {
		email, err := metadata.EmailWithContext(ctx, "default")
		if err != nil {
			return "", fmt.Errorf("google service account email from the metadata server: %w", err)
		}
		return email, nil
	}
	var f struct {
		Type          string `json:"type"`
		ClientEmail   string `json:"client_email"`
		Impersonation string `json:"service_account_impersonation_url"`
	}
	if err := json.Unmarshal(credsJSON, &f); err != nil {
		return "", fmt.Errorf("google credentials file: %w", err)
	}
	if f.ClientEmail != "" {
		return f.ClientEmail, nil
	}
	if m := impersonated.FindStringSubmatch(f.Impersonation); m != nil {
		return m[1], nil
	}
	return "", fmt.Errorf("google credentials of type %q name no service account: set the principal (ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL)", f.Type)
}

// googleToken formats an access token as Google's managed Kafka expects.
func googleToken(accessToken string, expiry, now time.Time, principal string) (kafka.OAuthBearerToken, error) {
	if accessToken == "" {
		return kafka.OAuthBearerToken{}, errors.New("google access token: empty")
	}
	if expiry.IsZero() {
		// Tokens without an expiry are refreshed hourly, as Google's are.
		expiry = now.Add(time.Hour)
	}
	header := `{"typ":"JWT","alg":"GOOG_OAUTH2_TOKEN"}`
	claims, err := json.Marshal(map[string]any{
		"exp":   expiry.Unix(),
		"iat":   now.Unix(),
		"scope": "kafka",
		"sub":   principal,
	})
	if err != nil {
		return kafka.OAuthBearerToken{}, err
	}
	return kafka.OAuthBearerToken{
		TokenValue: b64(header) + "." + b64(string(claims)) + "." + b64(accessToken),
		Expiration: expiry,
		Principal:  principal,
	}, nil
}

// UnsecuredJWTTokenFunc returns a TokenFunc of unsigned JWTs (alg "none")
// naming principal, valid for lifetime, as Kafka's unsecured OAUTHBEARER
// validator accepts: for local brokers and tests only.
func UnsecuredJWTTokenFunc(principal string, lifetime time.Duration) TokenFunc {
	return func(context.Context) (kafka.OAuthBearerToken, error) {
		return unsecuredJWT(principal, time.Now(), lifetime)
	}
}

func unsecuredJWT(principal string, now time.Time, lifetime time.Duration) (kafka.OAuthBearerToken, error) {
	if principal == "" {
		return kafka.OAuthBearerToken{}, errors.New("unsecured JWT: no principal")
	}
	exp := now.Add(lifetime)
	claims, err := json.Marshal(map[string]any{
		"sub": principal,
		"iat": now.Unix(),
		"exp": exp.Unix(),
	})
	if err != nil {
		return kafka.OAuthBearerToken{}, err
	}
	return kafka.OAuthBearerToken{
		TokenValue: b64(`{"alg":"none"}`) + "." + b64(string(claims)) + ".",
		Expiration: exp,
		Principal:  principal,
	}, nil
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
