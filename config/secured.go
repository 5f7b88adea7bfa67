package config

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Secured services: how Atlas authenticates to Elasticsearch and verifies
// the TLS certificates of Elasticsearch and Postgres.
//
// Elasticsearch takes either HTTP Basic credentials (ATLAS_ELASTICSEARCH_USERNAME
// and ATLAS_ELASTICSEARCH_PASSWORD) or an API key (ATLAS_ELASTICSEARCH_API_KEY,
// the "encoded" value Elasticsearch answers when the key is created), never
// both. ATLAS_ELASTICSEARCH_CA_FILE names a PEM file of the certificate
// authorities that sign the cluster's HTTP certificate (a self-managed or ECK
// cluster); without it the system's roots are trusted (Elastic Cloud). The
// password and the API key may come from _FILE variables. Credentials are
// refused inside ATLAS_ELASTICSEARCH_URL, where `atlas config` would print
// them.
//
// Postgres TLS is set in ATLAS_DATABASE_URL, as libpq and pgx read it:
// sslmode=verify-full&sslrootcert=/path/ca.pem checks the server's
// certificate and host name. In ATLAS_ENV=production Atlas refuses a URL
// that may connect in plain text (sslmode disable, allow or prefer, or no
// sslmode, which means prefer) to a host that is not this machine, unless
// ATLAS_DATABASE_ALLOW_PLAINTEXT=true says the network is trusted. Loopback
// hosts and Unix sockets are allowed as they are: the Cloud SQL Auth Proxy
// sidecar listens on 127.0.0.1 inside the pod and does the TLS itself.
// sslmode=require and verify-ca start with a warning: they encrypt, but do
// not prove whom Atlas talks to (require) or check the host name (verify-ca).

// plaintextModes are the sslmodes that may send the session unencrypted.
var plaintextModes = map[string]bool{"disable": true, "allow": true, "prefer": true}

// sslModes are the sslmodes pgx understands.
var sslModes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

func (c *Config) validateSecured(vars map[string]string) error {
	if err := c.validateElasticsearchAuth(); err != nil {
		return err
	}
	return c.validateDatabaseTLS(vars)
}

func (c *Config) validateElasticsearchAuth() error {
	u, err := url.Parse(c.ElasticsearchURL)
	if err != nil {
		return fmt.Errorf("ATLAS_ELASTICSEARCH_URL: must be an http(s) URL, got %q", c.ElasticsearchURL)
	}
	if u.User != nil {
		return errors.New("ATLAS_ELASTICSEARCH_URL: must not carry credentials; use ATLAS_ELASTICSEARCH_USERNAME and ATLAS_ELASTICSEARCH_PASSWORD (or ATLAS_ELASTICSEARCH_API_KEY)")
	}
	basic := c.ElasticsearchUsername != "" || c.ElasticsearchPassword != ""
	switch {
	case c.ElasticsearchAPIKey != "" && basic:
		return errors.New("ATLAS_ELASTICSEARCH_API_KEY: set either an API key or ATLAS_ELASTICSEARCH_USERNAME and ATLAS_ELASTICSEARCH_PASSWORD, not both")
	case c.ElasticsearchUsername != "" && c.ElasticsearchPassword == "":
		return errors.New("ATLAS_ELASTICSEARCH_PASSWORD: required with ATLAS_ELASTICSEARCH_USERNAME (or use ATLAS_ELASTICSEARCH_PASSWORD_FILE)")
	case c.ElasticsearchUsername == "" && c.ElasticsearchPassword != "":
		return errors.New("ATLAS_ELASTICSEARCH_USERNAME: required with ATLAS_ELASTICSEARCH_PASSWORD")
	}
	if c.ElasticsearchAPIKey != "" {
		raw, err := base64.StdEncoding.DecodeString(c.ElasticsearchAPIKey.Value())
		if id, key, ok := strings.Cut(string(raw), ":"); err != nil || !ok || id == "" || key == "" {
			return errors.New(`ATLAS_ELASTICSEARCH_API_KEY: must be the key's "encoded" value (base64 of id:api_key) that Elasticsearch answers when the key is created`)
		}
	}
	if u.Scheme == "http" {
		if c.ElasticsearchCAFile != "" {
			return fmt.Errorf("ATLAS_ELASTICSEARCH_CA_FILE: set, but ATLAS_ELASTICSEARCH_URL is plain http (%s); use https://", u.Host)
		}
		if c.Env == EnvProduction && (basic || c.ElasticsearchAPIKey != "") {
			return errors.New("ATLAS_ELASTICSEARCH_URL: credentials would travel in clear text over http:// when ATLAS_ENV=production; use https://")
		}
	}
	if c.ElasticsearchCAFile != "" {
		if _, err := ReadCAFile(c.ElasticsearchCAFile); err != nil {
			return fmt.Errorf("ATLAS_ELASTICSEARCH_CA_FILE: %w", err)
		}
	}
	return nil
}

// ReadCAFile reads a PEM file of CA certificates and checks that it holds
// at least one, each of which parses.
func ReadCAFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	n := 0
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("%s: certificate %d does not parse: %v", path, n+1, err)
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return b, nil
}

func (c *Config) validateDatabaseTLS(vars map[string]string) error {
	u, err := url.Parse(c.DatabaseURL.Value())
	if err != nil {
		return errors.New("ATLAS_DATABASE_URL: must be a postgres:// URL")
	}
	q := u.Query()
	mode := q.Get("sslmode")
	if mode == "" {
		mode = vars["PGSSLMODE"] // pgx reads it when the URL says nothing
	}
	if mode == "" {
		mode = "prefer"
	}
	if !sslModes[mode] {
		return fmt.Errorf("ATLAS_DATABASE_URL: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, got %q", mode)
	}
	root := q.Get("sslrootcert")
	if root == "" {
		root = vars["PGSSLROOTCERT"]
	}
	if root != "" && root != "system" {
		if _, err := ReadCAFile(root); err != nil {
			return fmt.Errorf("ATLAS_DATABASE_URL: sslrootcert: %w", err)
		}
	}
	remote := remoteDatabaseHosts(u)
	switch {
	case !plaintextModes[mode] || len(remote) == 0:
	case c.DatabaseAllowPlaintext:
		c.warn("ATLAS_DATABASE_URL: sslmode=%s to %s may connect in plain text (allowed by ATLAS_DATABASE_ALLOW_PLAINTEXT)", mode, strings.Join(remote, ","))
	case c.Env == EnvProduction:
		return fmt.Errorf("ATLAS_DATABASE_URL: sslmode=%s may connect to %s in plain text, refused when ATLAS_ENV=production; "+
			"use sslmode=verify-full&sslrootcert=<CA file>, or set ATLAS_DATABASE_ALLOW_PLAINTEXT=true on a network you trust", mode, strings.Join(remote, ","))
	default:
		c.warn("ATLAS_DATABASE_URL: sslmode=%s to %s may connect in plain text; production refuses it (use sslmode=verify-full)", mode, strings.Join(remote, ","))
	}
	if c.Env == EnvProduction && len(remote) > 0 {
		switch mode {
		case "require":
			c.warn("ATLAS_DATABASE_URL: sslmode=require encrypts but does not verify the server's certificate; use sslmode=verify-full&sslrootcert=<CA file>")
		case "verify-ca":
			c.warn("ATLAS_DATABASE_URL: sslmode=verify-ca does not check the server's host name; use sslmode=verify-full")
		}
	}
	return nil
}

// remoteDatabaseHosts returns the hosts of a Postgres URL that are not this
// machine (not loopback, not a Unix socket directory).
func remoteDatabaseHosts(u *url.URL) []string {
	hosts := []string{}
	for _, h := range strings.Split(u.Host, ",") {
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	if qh := u.Query().Get("host"); qh != "" {
		hosts = strings.Split(qh, ",")
	}
	var remote []string
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		h = strings.Trim(h, "[]")
		if h == "" || strings.HasPrefix(h, "/") || strings.EqualFold(h, "localhost") {
			continue
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			continue
		}
		remote = append(remote, h)
	}
	return remote
}

// warn records a start-up warning (see Warnings).
func (c *Config) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// Warnings are settings Atlas accepts but advises against (such as a
// Postgres URL that does not verify the server); every process logs them
// once at start-up.
func (c Config) Warnings() []string { return c.warnings }
