package config_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
)

// sasl is the environment of a valid SASL_SSL + PLAIN setup, to vary.
var sasl = []string{"ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL", "ATLAS_KAFKA_SASL_MECHANISM=PLAIN",
	"ATLAS_KAFKA_SASL_USERNAME=atlas", "ATLAS_KAFKA_SASL_PASSWORD=kafka-password"}

// oauth is the environment of SASL_SSL + OAUTHBEARER, without a method.
var oauth = []string{"ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL", "ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER"}

// oidc is a valid oidc setup.
var oidc = append(append([]string{}, oauth...), "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc",
	"ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL=https://idp.example.com/token",
	"ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID=atlas", "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET=oidc-secret")

var prod = []string{"ATLAS_ENV=production", "ATLAS_JWT_SECRET=" + jwt32}

func with(base []string, more ...string) []string {
	return append(append([]string{}, base...), more...)
}

// without drops the entry of base that sets name.
func without(base []string, name string) []string {
	var out []string
	for _, kv := range base {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// kafkaVariables covers the Kafka security variables (see variables).
var kafkaVariables = []variable{
	{"ATLAS_KAFKA_SECURITY_PROTOCOL", "ssl", func(t *testing.T, c config.Config) {
		assert.Equal(t, config.KafkaSSL, c.KafkaSecurityProtocol, "normalised to upper case")
		assert.True(t, c.KafkaTLS())
		assert.False(t, c.KafkaSASL())
	}},
	{"ATLAS_KAFKA_CA_FILE", "", nil}, // TestLoad_KafkaCAFile
	{"ATLAS_KAFKA_SASL_MECHANISM", "scram-sha-512", nil},
	{"ATLAS_KAFKA_SASL_USERNAME", "atlas", nil},
	{"ATLAS_KAFKA_SASL_PASSWORD", "kafka-password", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD", "GOOGLE", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL", "atlas@project.iam.gserviceaccount.com", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL", "https://idp.example.com/token", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID", "atlas", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", "oidc-secret", nil},
	{"ATLAS_KAFKA_SASL_OAUTHBEARER_SCOPE", "kafka", nil},
}

func TestLoad_KafkaSecurityDefaultsToPlaintext(t *testing.T) {
	t.Parallel()
	c := load(t)
	assert.Equal(t, config.KafkaPlaintext, c.KafkaSecurityProtocol)
	assert.False(t, c.KafkaTLS())
	assert.False(t, c.KafkaSASL())
	assert.Empty(t, c.KafkaSASLMech)
}

func TestLoad_KafkaSecurityValidCombinations(t *testing.T) {
	t.Parallel()
	c := load(t, with(sasl, "ATLAS_KAFKA_SASL_MECHANISM=scram-sha-512")...)
	assert.Equal(t, config.KafkaSCRAMSHA512, c.KafkaSASLMech)
	assert.Equal(t, "atlas", c.KafkaSASLUsername)
	assert.Equal(t, "kafka-password", c.KafkaSASLPassword.Value())

	c = load(t, with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=GOOGLE")...)
	assert.Equal(t, config.OAuthGoogle, c.KafkaOAuthMethod, "normalised to lower case")
	c = load(t, with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google",
		"ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL=atlas@p.iam.gserviceaccount.com")...)
	assert.Equal(t, "atlas@p.iam.gserviceaccount.com", c.KafkaOAuthPrincipal)

	c = load(t, with(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_SCOPE=kafka")...)
	assert.Equal(t, "https://idp.example.com/token", c.KafkaOIDCTokenURL)
	assert.Equal(t, "atlas", c.KafkaOIDCClientID)
	assert.Equal(t, "oidc-secret", c.KafkaOIDCClientSecret.Value())
	assert.Equal(t, "kafka", c.KafkaOIDCScope)

	c = load(t, with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt", "ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL=atlas")...)
	assert.Equal(t, config.OAuthUnsecuredJWT, c.KafkaOAuthMethod)

	// Production takes the secure forms.
	load(t, with(prod, sasl...)...)
	load(t, with(prod, with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google")...)...)
	load(t, with(prod, "ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT", "ATLAS_KAFKA_SASL_MECHANISM=SCRAM-SHA-256",
		"ATLAS_KAFKA_SASL_USERNAME=u", "ATLAS_KAFKA_SASL_PASSWORD=p")...)
}

func TestLoad_KafkaSecurityBadCombinations(t *testing.T) {
	t.Parallel()
	for _, f := range []failure{
		{[]string{"ATLAS_KAFKA_SECURITY_PROTOCOL=TLS"}, `ATLAS_KAFKA_SECURITY_PROTOCOL: must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got "TLS"`},
		{[]string{"ATLAS_KAFKA_SASL_MECHANISM=PLAIN"}, "ATLAS_KAFKA_SASL_MECHANISM: needs ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT, got PLAINTEXT"},
		{[]string{"ATLAS_KAFKA_SECURITY_PROTOCOL=SSL", "ATLAS_KAFKA_SASL_PASSWORD=p"}, "ATLAS_KAFKA_SASL_PASSWORD: needs ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT, got SSL"},
		{[]string{"ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google"}, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: needs ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL"},
		{[]string{"ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL"}, "ATLAS_KAFKA_SASL_MECHANISM: required with ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_SSL"},
		{with(sasl, "ATLAS_KAFKA_SASL_MECHANISM=GSSAPI"), `ATLAS_KAFKA_SASL_MECHANISM: must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, got "GSSAPI"`},
		{without(sasl, "ATLAS_KAFKA_SASL_USERNAME"), "ATLAS_KAFKA_SASL_USERNAME: required with ATLAS_KAFKA_SASL_MECHANISM=PLAIN"},
		{without(sasl, "ATLAS_KAFKA_SASL_PASSWORD"), "ATLAS_KAFKA_SASL_PASSWORD: required with ATLAS_KAFKA_SASL_MECHANISM=PLAIN"},
		{with(sasl, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google"), "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: only with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER, got PLAIN"},
		{with(prod, with(sasl, "ATLAS_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT")...), "ATLAS_KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT with PLAIN sends the password in clear"},
		{oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: required with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER (google, oidc or unsecured-jwt)"},
		{with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=aws"), `ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: must be google, oidc or unsecured-jwt, got "aws"`},
		{with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google", "ATLAS_KAFKA_SASL_PASSWORD=p"), "ATLAS_KAFKA_SASL_USERNAME and ATLAS_KAFKA_SASL_PASSWORD: not used with ATLAS_KAFKA_SASL_MECHANISM=OAUTHBEARER"},
		{with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=google", "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID=x"), "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET and _SCOPE: only with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc"},
		{with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt"), "ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt"},
		{with(prod, with(oauth, "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=unsecured-jwt", "ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL=a")...), "ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD: unsecured-jwt (unsigned tokens) is refused when ATLAS_ENV=production"},
		{without(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL"), "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc"},
		{with(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL=idp.example.com/token"), `ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: must be an https URL, got "idp.example.com/token"`},
		{with(prod, with(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL=http://idp/token")...), "ATLAS_KAFKA_SASL_OAUTHBEARER_TOKEN_URL: must be https when ATLAS_ENV=production"},
		{without(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID"), "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_ID: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc"},
		{without(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET"), "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: required with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc"},
		{with(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL=x"), "ATLAS_KAFKA_SASL_OAUTHBEARER_PRINCIPAL: not used with ATLAS_KAFKA_SASL_OAUTHBEARER_METHOD=oidc"},
		{[]string{"ATLAS_KAFKA_CA_FILE=/etc/hostname"}, "ATLAS_KAFKA_CA_FILE: only used with ATLAS_KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL, got PLAINTEXT"},
		{with(sasl, "ATLAS_KAFKA_CA_FILE=/nonexistent/ca.pem"), "ATLAS_KAFKA_CA_FILE: cannot read /nonexistent/ca.pem: no such file or directory"},
	} {
		t.Run(strings.Join(f.env, " "), func(t *testing.T) {
			t.Parallel()
			_, err := config.LoadFrom(f.env)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), f.want), "got %q, want prefix %q", err.Error(), f.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestLoad_KafkaCAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "ca.key"), "-out", ca, "-days", "1", "-subj", "/CN=test CA").CombinedOutput()
	require.NoError(t, err, "openssl: %s", out)
	c := load(t, with(sasl, "ATLAS_KAFKA_CA_FILE="+ca)...)
	assert.Equal(t, ca, c.KafkaCAFile)
	load(t, "ATLAS_KAFKA_SECURITY_PROTOCOL=SSL", "ATLAS_KAFKA_CA_FILE="+ca)

	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600))
	_, err = config.LoadFrom(with(sasl, "ATLAS_KAFKA_CA_FILE="+notPEM))
	require.EqualError(t, err, "ATLAS_KAFKA_CA_FILE: "+notPEM+" holds no PEM certificate")

	keyOnly := filepath.Join(dir, "ca.key")
	_, err = config.LoadFrom(with(sasl, "ATLAS_KAFKA_CA_FILE="+keyOnly))
	require.EqualError(t, err, "ATLAS_KAFKA_CA_FILE: "+keyOnly+" holds no PEM certificate")
}

func TestLoad_KafkaSecretsFromFilesAndRedacted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("kafka-password-from-file\n"), 0o600))
	c := load(t, with(without(sasl, "ATLAS_KAFKA_SASL_PASSWORD"), "ATLAS_KAFKA_SASL_PASSWORD_FILE="+pw)...)
	assert.Equal(t, "kafka-password-from-file", c.KafkaSASLPassword.Value())
	_, err := config.LoadFrom(with(sasl, "ATLAS_KAFKA_SASL_PASSWORD_FILE="+pw))
	require.EqualError(t, err, "ATLAS_KAFKA_SASL_PASSWORD and ATLAS_KAFKA_SASL_PASSWORD_FILE are both set; set only one")

	secret := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("oidc-secret-from-file"), 0o600))
	c2 := load(t, with(without(oidc, "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET"), "ATLAS_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE="+secret)...)
	assert.Equal(t, "oidc-secret-from-file", c2.KafkaOIDCClientSecret.Value())

	for _, printed := range []config.Config{c, c2} {
		b, err := json.Marshal(printed)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "from-file")
		assert.Contains(t, string(b), `"kafka_security_protocol":"SASL_SSL"`)
	}
	b, _ := json.Marshal(c)
	assert.Contains(t, string(b), `"kafka_sasl_password":"[redacted]"`)
	assert.Contains(t, string(b), `"kafka_sasl_username":"atlas"`)
}
