package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/config"
)

const oktaIssuer = "ATLAS_OIDC_OKTA_ISSUER=https://id.example.com/"

func init() {
	variables = append(variables,
		variable{"ATLAS_AUTH_PASSWORD_LOGIN", "false", func(t *testing.T, c config.Config) { assert.False(t, c.PasswordLogin) }})
	partners["ATLAS_AUTH_PASSWORD_LOGIN"] = oktaIssuer + "\nATLAS_OIDC_OKTA_CLIENT_ID=atlas"
	failures = append(failures,
		failure{[]string{"ATLAS_AUTH_PASSWORD_LOGIN=false"}, "ATLAS_AUTH_PASSWORD_LOGIN: false needs at least one ATLAS_OIDC_<NAME>_ISSUER"},
		failure{[]string{"ATLAS_OIDC_OKTA_ISSUER=id.example.com", "ATLAS_OIDC_OKTA_CLIENT_ID=atlas"}, `ATLAS_OIDC_OKTA_ISSUER: must be an http(s) URL, got "id.example.com"`},
		failure{[]string{oktaIssuer}, "ATLAS_OIDC_OKTA_CLIENT_ID: required when ATLAS_OIDC_OKTA_ISSUER is set"},
		failure{[]string{oktaIssuer, "ATLAS_OIDC_OKTA_CLIENT_ID=atlas", "ATLAS_OIDC_OKTA_CLIENT_SECRET=s", "ATLAS_OIDC_OKTA_CLIENT_SECRET_FILE=/x"},
			"ATLAS_OIDC_OKTA_CLIENT_SECRET and ATLAS_OIDC_OKTA_CLIENT_SECRET_FILE are both set"},
		failure{[]string{oktaIssuer, "ATLAS_OIDC_OKTA_CLIENT_ID=atlas", "ATLAS_OIDC_OKTA_CLIENT_SECRET_FILE=/nonexistent/secret"},
			"ATLAS_OIDC_OKTA_CLIENT_SECRET_FILE: cannot read /nonexistent/secret"},
	)
}

func TestLoad_OIDCProviders(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secret, []byte("client-secret-xyz\n"), 0o600))
	c := load(t, oktaIssuer, "ATLAS_OIDC_OKTA_CLIENT_ID=atlas", "ATLAS_OIDC_OKTA_CLIENT_SECRET_FILE="+secret,
		"ATLAS_OIDC_OKTA_SCOPES=openid email groups", "ATLAS_OIDC_OKTA_DISPLAY_NAME=Acme SSO",
		"ATLAS_OIDC_OKTA_ALLOWED_DOMAINS=acme.com, @Acme.co.uk", "ATLAS_OIDC_OKTA_REQUIRED_GROUP=atlas",
		"ATLAS_OIDC_GOOGLE_ISSUER=https://accounts.google.com", "ATLAS_OIDC_GOOGLE_CLIENT_ID=g", "ATLAS_OIDC_GOOGLE_CLIENT_SECRET=g-secret-xyz",
		"ATLAS_AUTH_PASSWORD_LOGIN=false")
	assert.False(t, c.PasswordLogin)
	require.Len(t, c.OIDC, 2)
	g, o := c.OIDC[0], c.OIDC[1]
	assert.Equal(t, config.OIDCProvider{Name: "google", Issuer: "https://accounts.google.com", ClientID: "g", ClientSecret: "g-secret-xyz",
		Scopes: []string{"openid", "email", "profile"}, DisplayName: "Google"}, g)
	assert.Equal(t, config.OIDCProvider{Name: "okta", Issuer: "https://id.example.com/", ClientID: "atlas", ClientSecret: "client-secret-xyz",
		Scopes: []string{"openid", "email", "groups"}, DisplayName: "Acme SSO", AllowedDomains: []string{"acme.com", "acme.co.uk"},
		RequiredGroup: "atlas"}, o)

	b, err := json.Marshal(c) // what `atlas config` prints
	require.NoError(t, err)
	assert.NotContains(t, string(b), "client-secret-xyz")
	assert.NotContains(t, string(b), "g-secret-xyz")
	assert.True(t, load(t).PasswordLogin, "password login is on by default")
	assert.Empty(t, load(t).OIDC)
}
