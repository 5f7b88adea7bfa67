package broker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parts splits a JWT-shaped token into its three decoded parts.
func parts(t *testing.T, token string) [3][]byte {
	t.Helper()
	segs := strings.Split(token, ".")
	require.Len(t, segs, 3, "three dot-separated parts")
	var out [3][]byte
	for i, s := range segs {
		assert.NotContains(t, s, "=", "base64url without padding")
		b, err := base64.RawURLEncoding.DecodeString(s)
		require.NoError(t, err, "part %d", i)
		out[i] = b
	}
	return out
}

func TestGoogleToken_WrapsTheAccessTokenAsGooglesManagedKafkaExpects(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	expiry := now.Add(59 * time.Minute)
	const access = "ya29.a0-access/token+with?odd=chars"
	tok, err := googleToken(access, expiry, now, "atlas-worker@proj.iam.gserviceaccount.com")
	require.NoError(t, err)

	p := parts(t, tok.TokenValue)
	var header map[string]string
	require.NoError(t, json.Unmarshal(p[0], &header))
	assert.Equal(t, map[string]string{"typ": "JWT", "alg": "GOOG_OAUTH2_TOKEN"}, header)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(p[1], &claims))
	assert.Equal(t, map[string]any{
		"exp": float64(expiry.Unix()), "iat": float64(now.Unix()), "scope": "kafka",
		"sub": "atlas-worker@proj.iam.gserviceaccount.com",
	}, claims)
	assert.Equal(t, access, string(p[2]), "the third part is the access token itself")
	assert.Equal(t, expiry, tok.Expiration, "librdkafka refreshes before the access token expires")
	assert.Equal(t, "atlas-worker@proj.iam.gserviceaccount.com", tok.Principal)
}

func TestGoogleToken_WithoutExpiryLastsAnHourAndEmptyIsRefused(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tok, err := googleToken("ya29.x", time.Time{}, now, "sa@p.iam.gserviceaccount.com")
	require.NoError(t, err)
	assert.Equal(t, now.Add(time.Hour), tok.Expiration)
	_, err = googleToken("", now.Add(time.Hour), now, "sa@p.iam.gserviceaccount.com")
	require.Error(t, err)
}

func TestGooglePrincipal_FromCredentialFiles(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		json, want, err string
	}{
		"service account key": {`{"type":"service_account","client_email":"sa@p.iam.gserviceaccount.com"}`, "sa@p.iam.gserviceaccount.com", ""},
		"impersonation": {`{"type":"impersonated_service_account","service_account_impersonation_url":` +
			`"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/kafka@p.iam.gserviceaccount.com:generateAccessToken"}`,
			"kafka@p.iam.gserviceaccount.com", ""},
		"workload identity federation": {`{"type":"external_account","service_account_impersonation_url":` +
			`"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/wif@p.iam.gserviceaccount.com:generateAccessToken"}`,
			"wif@p.iam.gserviceaccount.com", ""},
		"user credentials": {`{"type":"authorized_user","client_id":"x"}`, "", `type "authorized_user" name no service account`},
		"not JSON":         {`{`, "", "google credentials file"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := googlePrincipal(context.Background(), []byte(tc.json))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnsecuredJWT_IsWhatKafkasUnsecuredValidatorTakes(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tok, err := unsecuredJWT("atlas", now, time.Hour)
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(tok.TokenValue, "."), "no signature")
	p := parts(t, tok.TokenValue)
	assert.JSONEq(t, `{"alg":"none"}`, string(p[0]))
	assert.JSONEq(t, `{"sub":"atlas","iat":1800000000,"exp":1800003600}`, string(p[1]))
	assert.Empty(t, p[2])
	assert.Equal(t, now.Add(time.Hour), tok.Expiration)
	_, err = unsecuredJWT("", now, time.Hour)
	require.Error(t, err)
}

func TestSecurity_ConfigMap(t *testing.T) {
	t.Parallel()
	plain := Security{}.configMap("b:9092", kafka.ConfigMap{"linger.ms": 1, "security.protocol": "SSL"})
	assert.Equal(t, "PLAINTEXT", plain["security.protocol"], "tuning properties cannot change the protocol")
	assert.Equal(t, "b:9092", plain["bootstrap.servers"])
	assert.Equal(t, 1, plain["linger.ms"])
	assert.NotContains(t, plain, "sasl.mechanism")

	sasl := Security{Protocol: ProtocolSASLSSL, Mechanism: MechanismSCRAMSHA512, Username: "u", Password: "p"}.configMap("b:9093", nil)
	assert.Equal(t, "SASL_SSL", sasl["security.protocol"])
	assert.Equal(t, "probe", sasl["ssl.ca.location"], "no CA file: the system's trust store")
	assert.Equal(t, "https", sasl["ssl.endpoint.identification.algorithm"])
	assert.Equal(t, "SCRAM-SHA-512", sasl["sasl.mechanism"])
	assert.Equal(t, "u", sasl["sasl.username"])
	assert.Equal(t, "p", sasl["sasl.password"])

	oidc := Security{Protocol: ProtocolSASLPlaintext, Mechanism: MechanismOAuthBearer,
		OIDC: OIDC{TokenURL: "https://idp/token", ClientID: "c", ClientSecret: "s", Scope: "kafka"}}.configMap("b:9093", nil)
	assert.Equal(t, "oidc", oidc["sasl.oauthbearer.method"])
	assert.Equal(t, "https://idp/token", oidc["sasl.oauthbearer.token.endpoint.url"])
	assert.Equal(t, "c", oidc["sasl.oauthbearer.client.id"])
	assert.Equal(t, "s", oidc["sasl.oauthbearer.client.secret"])
	assert.Equal(t, "kafka", oidc["sasl.oauthbearer.scope"])
	assert.NotContains(t, oidc, "ssl.ca.location")
	assert.NotContains(t, oidc, "sasl.username")

	withCA := Security{Protocol: ProtocolSSL, CAFile: "/etc/kafka/ca.pem"}.configMap("b:9093", nil)
	assert.Equal(t, "/etc/kafka/ca.pem", withCA["ssl.ca.location"])
}
