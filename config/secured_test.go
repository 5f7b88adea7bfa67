package config_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
)

// The settings of secured services (secured.go) join the tables of config_test.go here, in a
// block of their own.

// apiKey is an API key as Elasticsearch answers it ("encoded": base64 of id:api_key).
var apiKey = base64.StdEncoding.EncodeToString([]byte("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"))

const (
	testCA     = "testdata/ca.pem"
	prodSecret = "ATLAS_JWT_SECRET=" + jwt32
)

func init() {
	variables = append(variables,
		variable{"ATLAS_ELASTICSEARCH_USERNAME", "atlas", func(t *testing.T, c config.Config) {
			assert.Equal(t, "atlas", c.ElasticsearchUsername)
		}},
		variable{"ATLAS_ELASTICSEARCH_PASSWORD", "es-password", func(t *testing.T, c config.Config) {
			assert.Equal(t, "es-password", c.ElasticsearchPassword.Value())
		}},
		variable{"ATLAS_ELASTICSEARCH_API_KEY", apiKey, func(t *testing.T, c config.Config) {
			assert.Equal(t, apiKey, c.ElasticsearchAPIKey.Value())
		}},
		variable{"ATLAS_ELASTICSEARCH_CA_FILE", testCA, func(t *testing.T, c config.Config) {
			assert.Equal(t, testCA, c.ElasticsearchCAFile)
		}},
		variable{"ATLAS_DATABASE_ALLOW_PLAINTEXT", "true", func(t *testing.T, c config.Config) {
			assert.True(t, c.DatabaseAllowPlaintext)
		}},
	)
	// The rows above set one variable each; the ones that need a partner get it here.
	partners["ATLAS_ELASTICSEARCH_USERNAME"] = "ATLAS_ELASTICSEARCH_PASSWORD=es-password"
	partners["ATLAS_ELASTICSEARCH_PASSWORD"] = "ATLAS_ELASTICSEARCH_USERNAME=atlas"
	partners["ATLAS_ELASTICSEARCH_CA_FILE"] = "ATLAS_ELASTICSEARCH_URL=https://es.internal:9243"

	const remote = "ATLAS_DATABASE_URL=postgres://atlas:pw@db.internal:5432/atlas"
	failures = append(failures,
		failure{[]string{"ATLAS_ELASTICSEARCH_URL=https://atlas:pw@es.internal:9243"}, "ATLAS_ELASTICSEARCH_URL: must not carry credentials; use ATLAS_ELASTICSEARCH_USERNAME"},
		failure{[]string{"ATLAS_ELASTICSEARCH_API_KEY=" + apiKey, "ATLAS_ELASTICSEARCH_USERNAME=atlas", "ATLAS_ELASTICSEARCH_PASSWORD=pw"},
			"ATLAS_ELASTICSEARCH_API_KEY: set either an API key or ATLAS_ELASTICSEARCH_USERNAME and ATLAS_ELASTICSEARCH_PASSWORD, not both"},
		failure{[]string{"ATLAS_ELASTICSEARCH_USERNAME=atlas"}, "ATLAS_ELASTICSEARCH_PASSWORD: required with ATLAS_ELASTICSEARCH_USERNAME"},
		failure{[]string{"ATLAS_ELASTICSEARCH_PASSWORD=pw"}, "ATLAS_ELASTICSEARCH_USERNAME: required with ATLAS_ELASTICSEARCH_PASSWORD"},
		failure{[]string{"ATLAS_ELASTICSEARCH_API_KEY=ui2lp2axTNmsyakw9tvNnw"}, `ATLAS_ELASTICSEARCH_API_KEY: must be the key's "encoded" value`},
		failure{[]string{"ATLAS_ELASTICSEARCH_CA_FILE=" + testCA}, "ATLAS_ELASTICSEARCH_CA_FILE: set, but ATLAS_ELASTICSEARCH_URL is plain http (127.0.0.1:9200); use https://"},
		failure{[]string{"ATLAS_ELASTICSEARCH_URL=https://es:9243", "ATLAS_ELASTICSEARCH_CA_FILE=testdata/missing.pem"},
			"ATLAS_ELASTICSEARCH_CA_FILE: cannot read testdata/missing.pem: no such file or directory"},
		failure{[]string{"ATLAS_ELASTICSEARCH_URL=https://es:9243", "ATLAS_ELASTICSEARCH_CA_FILE=testdata/not-pem.txt"},
			"ATLAS_ELASTICSEARCH_CA_FILE: testdata/not-pem.txt holds no PEM certificate"},
		failure{[]string{"ATLAS_ENV=production", prodSecret, "ATLAS_DATABASE_URL=postgres://a@127.0.0.1/atlas?sslmode=disable",
			"ATLAS_ELASTICSEARCH_API_KEY=" + apiKey}, "ATLAS_ELASTICSEARCH_URL: credentials would travel in clear text over http://"},
		failure{[]string{"ATLAS_DATABASE_URL=postgres://a@db/atlas?sslmode=verify"}, `ATLAS_DATABASE_URL: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, got "verify"`},
		failure{[]string{"ATLAS_DATABASE_URL=postgres://a@db/atlas?sslmode=verify-full&sslrootcert=testdata/missing.pem"},
			"ATLAS_DATABASE_URL: sslrootcert: cannot read testdata/missing.pem"},
		failure{[]string{"ATLAS_ENV=production", prodSecret, remote + "?sslmode=disable"},
			"ATLAS_DATABASE_URL: sslmode=disable may connect to db.internal in plain text, refused when ATLAS_ENV=production; use sslmode=verify-full&sslrootcert=<CA file>, or set ATLAS_DATABASE_ALLOW_PLAINTEXT=true"},
		failure{[]string{"ATLAS_ENV=production", prodSecret, remote}, "ATLAS_DATABASE_URL: sslmode=prefer may connect to db.internal in plain text"},
		failure{[]string{"ATLAS_ENV=production", prodSecret, "ATLAS_DATABASE_URL=postgres://a@127.0.0.1:5432,db-replica:5432/atlas?sslmode=allow"},
			"ATLAS_DATABASE_URL: sslmode=allow may connect to db-replica in plain text"},
	)
}

// partners are variables a row of variables needs beside its own to be
// valid (several: one per line).
var partners = map[string]string{}

func TestLoad_DatabaseTLSInProduction(t *testing.T) {
	t.Parallel()
	prod := func(env ...string) []string { return append([]string{"ATLAS_ENV=production", prodSecret}, env...) }
	for _, tc := range []struct {
		name string
		env  []string
		warn string // a warning containing this; empty: none
	}{
		{"verify-full with a CA file", prod("ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas?sslmode=verify-full&sslrootcert=" + testCA), ""},
		{"verify-full from PGSSLMODE", prod("ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas", "PGSSLMODE=verify-full"), ""},
		{"the Cloud SQL Auth Proxy on loopback", prod("ATLAS_DATABASE_URL=postgres://a:pw@127.0.0.1:5432/atlas?sslmode=disable"), ""},
		{"localhost", prod("ATLAS_DATABASE_URL=postgres://a:pw@localhost/atlas?sslmode=disable"), ""},
		{"a Unix socket", prod("ATLAS_DATABASE_URL=postgres:///atlas?host=/cloudsql/p:r:i"), ""},
		{"plaintext allowed explicitly", prod("ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas?sslmode=disable", "ATLAS_DATABASE_ALLOW_PLAINTEXT=true"),
			"sslmode=disable to db.internal may connect in plain text (allowed by ATLAS_DATABASE_ALLOW_PLAINTEXT)"},
		{"require", prod("ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas?sslmode=require"), "sslmode=require encrypts but does not verify"},
		{"verify-ca", prod("ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas?sslmode=verify-ca"), "sslmode=verify-ca does not check the server's host name"},
		{"development over a network", []string{"ATLAS_DATABASE_URL=postgres://a:pw@db.internal/atlas?sslmode=disable"}, "production refuses it"},
		{"development default", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := load(t, tc.env...)
			if tc.warn == "" {
				assert.Empty(t, c.Warnings())
				return
			}
			require.Len(t, c.Warnings(), 1)
			assert.Contains(t, c.Warnings()[0], tc.warn)
			assert.NotContains(t, c.Warnings()[0], "pw@", "a warning never shows the URL's password")
		})
	}
}

func TestLoad_ElasticsearchSecretsFromFilesAndRedacted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, value string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(value+"\n"), 0o600))
		return p
	}
	c := load(t, "ATLAS_ELASTICSEARCH_URL=https://es.internal:9243", "ATLAS_ELASTICSEARCH_USERNAME=atlas",
		"ATLAS_ELASTICSEARCH_PASSWORD_FILE="+write("password", "es-password-xyz"), "ATLAS_ELASTICSEARCH_CA_FILE="+testCA)
	assert.Equal(t, "es-password-xyz", c.ElasticsearchPassword.Value())
	k := load(t, "ATLAS_ELASTICSEARCH_API_KEY_FILE="+write("api-key", apiKey))
	assert.Equal(t, apiKey, k.ElasticsearchAPIKey.Value())

	for _, cfg := range []config.Config{c, k} {
		b, err := json.Marshal(cfg)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "es-password-xyz")
		assert.NotContains(t, string(b), apiKey)
	}
	var printed map[string]any
	b, _ := json.Marshal(c)
	require.NoError(t, json.Unmarshal(b, &printed))
	assert.Equal(t, "[redacted]", printed["elasticsearch_password"])
	assert.Equal(t, "atlas", printed["elasticsearch_username"])
	assert.Equal(t, testCA, printed["elasticsearch_ca_file"])

	_, err := config.LoadFrom([]string{"ATLAS_ELASTICSEARCH_API_KEY=" + apiKey, "ATLAS_ELASTICSEARCH_API_KEY_FILE=" + filepath.Join(dir, "api-key")})
	require.EqualError(t, err, "ATLAS_ELASTICSEARCH_API_KEY and ATLAS_ELASTICSEARCH_API_KEY_FILE are both set; set only one")
}

func TestReadCAFile_RefusesACertificateThatDoesNotParse(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "broken.pem")
	pemText, err := os.ReadFile(testCA)
	require.NoError(t, err)
	broken := strings.Replace(string(pemText), "MII", "MIX", 1)
	require.NoError(t, os.WriteFile(p, []byte(broken), 0o600))
	_, err = config.ReadCAFile(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not parse")
}
