package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
)

// OIDCProvider is one OpenID Connect provider users may sign in with,
// configured by the ATLAS_OIDC_<NAME>_* variables.
type OIDCProvider struct {
	// Name is <NAME> in lower case: the provider's id in the API's paths
	// (/api/v1/auth/oidc/<name>/...) and in linked identities.
	Name string `json:"name"`
	// Issuer is the provider's issuer URL (discovery is read from
	// <issuer>/.well-known/openid-configuration).
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	// ClientSecret is empty for a public client (PKCE only).
	ClientSecret Secret `json:"client_secret"`
	// Scopes always include openid (default: openid, email, profile).
	Scopes      []string `json:"scopes"`
	DisplayName string   `json:"display_name"`
	// AllowedDomains limits who may sign in (and be created) to these
	// email domains (empty: any).
	AllowedDomains []string `json:"allowed_domains,omitempty"`
	// RequiredGroup, when set, must be in the ID token's "groups" claim.
	RequiredGroup string `json:"required_group,omitempty"`
}

var oidcVar = regexp.MustCompile(`^ATLAS_OIDC_([A-Z0-9]+)_ISSUER$`)

// oidcProviders reads every provider whose ATLAS_OIDC_<NAME>_ISSUER is set
// from vars, sorted by name, and checks each one.
func oidcProviders(vars map[string]string) ([]OIDCProvider, error) {
	var out []OIDCProvider
	for k := range vars {
		m := oidcVar.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		p, err := oidcProvider(m[1], vars)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func oidcProvider(name string, vars map[string]string) (OIDCProvider, error) {
	pre := "ATLAS_OIDC_" + name + "_"
	p := OIDCProvider{Name: strings.ToLower(name), Issuer: strings.TrimSpace(vars[pre+"ISSUER"]),
		ClientID: strings.TrimSpace(vars[pre+"CLIENT_ID"]), DisplayName: strings.TrimSpace(vars[pre+"DISPLAY_NAME"]),
		RequiredGroup: strings.TrimSpace(vars[pre+"REQUIRED_GROUP"])}
	if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return OIDCProvider{}, fmt.Errorf("%sISSUER: must be an http(s) URL, got %q", pre, p.Issuer)
	}
	if p.ClientID == "" {
		return OIDCProvider{}, fmt.Errorf("%sCLIENT_ID: required when %sISSUER is set", pre, pre)
	}
	secret, err := oidcSecret(pre, vars)
	if err != nil {
		return OIDCProvider{}, err
	}
	p.ClientSecret = secret
	if p.DisplayName == "" {
		p.DisplayName = name[:1] + strings.ToLower(name[1:])
	}
	if len(p.DisplayName) > 100 {
		return OIDCProvider{}, fmt.Errorf("%sDISPLAY_NAME: at most 100 characters", pre)
	}
	p.Scopes = []string{"openid", "email", "profile"}
	if s, ok := vars[pre+"SCOPES"]; ok && strings.TrimSpace(s) != "" {
		p.Scopes = []string{"openid"}
		for _, sc := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			if sc != "openid" {
				p.Scopes = append(p.Scopes, sc)
			}
		}
	}
	for _, d := range strings.Split(vars[pre+"ALLOWED_DOMAINS"], ",") {
		if d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")); d != "" {
			p.AllowedDomains = append(p.AllowedDomains, d)
		}
	}
	return p, nil
}

// oidcSecret reads <pre>CLIENT_SECRET or the file <pre>CLIENT_SECRET_FILE
// names (not both).
func oidcSecret(pre string, vars map[string]string) (Secret, error) {
	path, fromFile := vars[pre+"CLIENT_SECRET_FILE"]
	if _, both := vars[pre+"CLIENT_SECRET"]; both && fromFile {
		return "", fmt.Errorf("%sCLIENT_SECRET and %sCLIENT_SECRET_FILE are both set; set only one", pre, pre)
	}
	if !fromFile || path == "" {
		return Secret(vars[pre+"CLIENT_SECRET"]), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%sCLIENT_SECRET_FILE: cannot read %s: %v", pre, path, errors.Unwrap(err))
	}
	return Secret(strings.TrimRight(string(b), "\r\n")), nil
}

// validateAuth checks the sign-in methods: with password login off, at
// least one OpenID Connect provider must be configured, or nobody could
// sign in.
func (c *Config) validateAuth() error {
	if !c.PasswordLogin && len(c.OIDC) == 0 {
		return errors.New("ATLAS_AUTH_PASSWORD_LOGIN: false needs at least one ATLAS_OIDC_<NAME>_ISSUER, or nobody can sign in")
	}
	return nil
}
