package account

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
)

// LoginTTL is how long a sign-in may take between the redirect to the
// provider and its callback.
const LoginTTL = 10 * time.Minute

// discoveryRetry is how long a failed discovery is remembered before the
// provider is asked again (a provider that is down is not asked on every
// page load).
const discoveryRetry = 15 * time.Second

// OIDCProvider configures one OpenID Connect provider.
type OIDCProvider struct {
	// Name is the provider's id in paths and linked identities ([a-z0-9]).
	Name, DisplayName string
	Issuer, ClientID  string
	// ClientSecret is empty for a public client (PKCE alone).
	ClientSecret string
	Scopes       []string
	// AllowedDomains limits sign-in to these email domains (empty: any).
	AllowedDomains []string
	// RequiredGroup, when set, must be in the ID token's "groups" claim.
	RequiredGroup string
}

// SSOParams configures an SSO.
type SSOParams struct {
	Accounts  *Service
	Providers []OIDCProvider
	// HTTPClient talks to the providers (default: 10 s timeout).
	HTTPClient *http.Client
	// NoPasswordLogin is set when password sign-in is off
	// (ATLAS_AUTH_PASSWORD_LOGIN=false): a password is then no way to sign
	// in, and the last linked identity cannot be unlinked.
	NoPasswordLogin bool
}

// SSO signs users in with OpenID Connect providers (authorization code
// flow with PKCE, state and nonce), creating accounts just in time and
// linking identities to existing ones only through a verified email or
// from the signed-in account.
type SSO struct {
	accounts  *Service
	store     identityStore
	client    *http.Client
	providers []*ssoProvider
	byName    map[string]*ssoProvider
	// noPassword: password sign-in is off.
	noPassword bool
}

// ssoProvider is a configured provider and its discovery, made on first
// use (a provider that is down when Atlas starts does not stop it).
type ssoProvider struct {
	cfg       OIDCProvider
	mu        sync.Mutex
	discovery *oidc.Provider
	failedAt  time.Time
	endURL    string
}

// NewSSO returns an SSO for the providers (none: every provider route
// answers not found).
func NewSSO(p SSOParams) *SSO {
	if p.HTTPClient == nil {
		p.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &SSO{accounts: p.Accounts, client: p.HTTPClient, byName: map[string]*ssoProvider{}, noPassword: p.NoPasswordLogin}
	for _, c := range p.Providers {
		sp := &ssoProvider{cfg: c}
		s.providers = append(s.providers, sp)
		s.byName[c.Name] = sp
	}
	return s
}

// ProviderStatus is a provider as the login page shows it.
type ProviderStatus struct {
	Name, DisplayName string
	// Available is false when the provider's discovery cannot be read.
	Available bool
	// EndSessionURL is the provider's end_session_endpoint (RP-initiated
	// logout) with this client's id, when it offers one.
	EndSessionURL string
}

// Providers lists the providers and whether each answers.
func (s *SSO) Providers() []ProviderStatus {
	out := make([]ProviderStatus, 0, len(s.providers))
	for _, p := range s.providers {
		_, err := s.discover(p)
		out = append(out, ProviderStatus{Name: p.cfg.Name, DisplayName: p.cfg.DisplayName, Available: err == nil, EndSessionURL: p.endSession()})
	}
	return out
}

func (p *ssoProvider) endSession() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.endURL
}

// discover returns the provider's discovery, reading it when not yet known.
// A provider that cannot be reached is atlas.ErrUnavailable.
func (s *SSO) discover(p *ssoProvider) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.discovery != nil {
		return p.discovery, nil
	}
	if !p.failedAt.IsZero() && now.Sub(p.failedAt) < discoveryRetry {
		return nil, atlas.Errorf(atlas.ErrUnavailable, "%s cannot be reached; try again later", p.cfg.DisplayName)
	}
	// The discovery's key set outlives this request: its context is not
	// the request's, only its HTTP client.
	d, err := oidc.NewProvider(oidc.ClientContext(context.Background(), s.client), p.cfg.Issuer)
	if err != nil {
		p.failedAt = now
		return nil, atlas.Errorf(atlas.ErrUnavailable, "%s cannot be reached; try again later", p.cfg.DisplayName)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if d.Claims(&meta) == nil && meta.EndSession != "" {
		if u, err := url.Parse(meta.EndSession); err == nil {
			q := u.Query()
			q.Set("client_id", p.cfg.ClientID)
			u.RawQuery = q.Encode()
			p.endURL = u.String()
		}
	}
	p.discovery, p.failedAt = d, time.Time{}
	return d, nil
}

func (p *ssoProvider) oauth(d *oidc.Provider, origin string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: d.Endpoint(),
		RedirectURL: origin + CallbackPath(p.cfg.Name), Scopes: p.cfg.Scopes}
}

// CallbackPath is the path of a provider's callback (its redirect URI on
// Atlas' origin).
func CallbackPath(provider string) string { return "/api/v1/auth/oidc/" + provider + "/callback" }

func (s *SSO) provider(name string) (*ssoProvider, error) {
	p, ok := s.byName[name]
	if !ok {
		return nil, atlas.Errorf(atlas.ErrNotFound, "no sign-in provider is named %q", name)
	}
	return p, nil
}

// SafeNext checks that next is a path on this site (where to go after
// signing in): relative, starting with one slash, no backslashes or
// control characters. Empty means "/".
func SafeNext(next string) (string, error) {
	if next == "" {
		return "/", nil
	}
	bad := atlas.Invalid("next", "must be a path on this site, such as /collections")
	if len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "", bad
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "", bad
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "", bad
	}
	return next, nil
}

// Started is where to send the browser to sign in, and the secret of the
// short-lived cookie that binds the sign-in to that browser.
type Started struct {
	RedirectURL string
	Binding     string
	ExpiresAt   time.Time
}

// Start begins a sign-in with a provider (linkUser set: linking it to that
// signed-in user). origin is Atlas' scheme://host, next where to go after.
func (s *SSO) Start(ctx context.Context, provider, origin, next string, linkUser *uuid.UUID) (Started, error) {
	p, err := s.provider(provider)
	if err != nil {
		return Started{}, err
	}
	if next, err = SafeNext(next); err != nil {
		return Started{}, err
	}
	d, err := s.discover(p)
	if err != nil {
		return Started{}, err
	}
	now := s.accounts.now().UTC()
	state, nonce, binding, verifier := newSecret(""), newSecret(""), newSecret(""), oauth2.GenerateVerifier()
	pending := pendingLogin{StateHash: hashSecret(state), BindingHash: hashSecret(binding), Provider: provider, Nonce: nonce,
		CodeVerifier: verifier, Next: next, LinkUser: linkUser, ExpiresAt: now.Add(LoginTTL)}
	if err := s.store.startLogin(ctx, s.accounts.pool, pending, now); err != nil {
		return Started{}, fmt.Errorf("sso start: %w", err)
	}
	to := p.oauth(d, origin).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return Started{RedirectURL: to, Binding: binding, ExpiresAt: pending.ExpiresAt}, nil
}

// CallbackParams is what the provider sent back to the callback.
type CallbackParams struct {
	Provider, Origin string
	State, Code      string
	// Binding is the value of the browser's sign-in cookie.
	Binding string
	Client  Client
}

// Completed is the result of a callback: a new session (nil after linking
// from the account page) and where to send the browser.
type Completed struct {
	SignIn *SignIn
	User   User
	Next   string
}

// errSignInGone answers a callback whose state is unknown, used, expired,
// or from another browser.
var errSignInGone = atlas.Errorf(atlas.ErrBadRequest, "this sign-in has expired or was already used; start again")

// Callback completes a sign-in: it takes the state (single use, this
// browser's), trades the code for tokens with the PKCE verifier, verifies
// the ID token and its nonce, and signs the user in (or links the identity).
func (s *SSO) Callback(ctx context.Context, in CallbackParams) (Completed, error) {
	p, err := s.provider(in.Provider)
	if err != nil {
		return Completed{}, err
	}
	if in.State == "" || in.Code == "" {
		return Completed{}, atlas.Errorf(atlas.ErrBadRequest, "the provider's answer has no state or code")
	}
	pending, err := s.store.takeLogin(ctx, s.accounts.pool, hashSecret(in.State))
	if errors.Is(err, atlas.ErrNotFound) {
		return Completed{}, errSignInGone
	}
	if err != nil {
		return Completed{}, fmt.Errorf("sso callback: %w", err)
	}
	if pending.Provider != p.cfg.Name || !pending.ExpiresAt.After(s.accounts.now()) ||
		subtle.ConstantTimeCompare(pending.BindingHash, hashSecret(in.Binding)) != 1 {
		return Completed{}, errSignInGone
	}
	d, err := s.discover(p)
	if err != nil {
		return Completed{}, err
	}
	cctx := oidc.ClientContext(ctx, s.client)
	tok, err := p.oauth(d, in.Origin).Exchange(cctx, in.Code, oauth2.VerifierOption(pending.CodeVerifier))
	if err != nil {
		return Completed{}, atlas.Errorf(atlas.ErrBadRequest, "%s refused the sign-in code; start again", p.cfg.DisplayName)
	}
	raw, _ := tok.Extra("id_token").(string)
	claims, err := s.verify(cctx, p, d, raw, pending.Nonce)
	if err != nil {
		return Completed{}, err
	}
	if err := s.fillFromUserInfo(cctx, d, tok, &claims); err != nil {
		return Completed{}, err
	}
	if err := p.admit(claims); err != nil {
		return Completed{}, err
	}
	return s.complete(ctx, p, claims, pending, in.Client)
}

// idClaims are the ID token's (and userinfo's) claims Atlas uses.
type idClaims struct {
	Subject       string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified *bool    `json:"email_verified"`
	Name          string   `json:"name"`
	Groups        []string `json:"groups"`
}

// verify checks an ID token, signature (the provider's JWKS, fetched again
// when a key is unknown: rotation), issuer, audience and expiry, and that
// its nonce is the sign-in's.
func (s *SSO) verify(ctx context.Context, p *ssoProvider, d *oidc.Provider, raw, nonce string) (idClaims, error) {
	bad := func(why string) error {
		return atlas.Errorf(atlas.ErrUnauthenticated, "the ID token from %s was refused: %s", p.cfg.DisplayName, why)
	}
	if raw == "" {
		return idClaims{}, bad("the provider sent none")
	}
	idt, err := d.VerifierContext(ctx, &oidc.Config{ClientID: p.cfg.ClientID, Now: s.accounts.now}).Verify(ctx, raw)
	if err != nil {
		return idClaims{}, bad("it is not valid")
	}
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return idClaims{}, bad("its nonce is missing or not this sign-in's")
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return idClaims{}, bad("its claims cannot be read")
	}
	if c.Subject == "" || len(c.Subject) > 255 {
		return idClaims{}, bad("its subject is missing")
	}
	return c, nil
}

// fillFromUserInfo reads the email from the userinfo endpoint when the ID
// token carries none (providers may keep profile claims out of it).
func (s *SSO) fillFromUserInfo(ctx context.Context, d *oidc.Provider, tok *oauth2.Token, c *idClaims) error {
	if c.Email != "" || d.UserInfoEndpoint() == "" {
		return nil
	}
	info, err := d.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return atlas.Errorf(atlas.ErrUnavailable, "the provider's userinfo cannot be read")
	}
	var extra idClaims
	if err := info.Claims(&extra); err != nil || info.Subject != c.Subject {
		return atlas.Errorf(atlas.ErrUnauthenticated, "the provider's userinfo is not this ID token's user")
	}
	c.Email, c.EmailVerified = info.Email, &info.EmailVerified
	if c.Name == "" {
		c.Name = extra.Name
	}
	if len(c.Groups) == 0 {
		c.Groups = extra.Groups
	}
	return nil
}

// admit applies the provider's allowed domains and required group.
func (p *ssoProvider) admit(c idClaims) error {
	if len(p.cfg.AllowedDomains) > 0 {
		_, domain, _ := strings.Cut(strings.ToLower(c.Email), "@")
		ok := false
		for _, d := range p.cfg.AllowedDomains {
			ok = ok || domain == d
		}
		if !ok {
			return atlas.Errorf(atlas.ErrForbidden, "sign-in with %s is limited to addresses at %s", p.cfg.DisplayName,
				strings.Join(p.cfg.AllowedDomains, ", "))
		}
	}
	if g := p.cfg.RequiredGroup; g != "" {
		for _, have := range c.Groups {
			if have == g {
				return nil
			}
		}
		return atlas.Errorf(atlas.ErrForbidden, "sign-in with %s needs membership of the group %q", p.cfg.DisplayName, g)
	}
	return nil
}

// complete finds the identity's user (or links or creates one), records the
// events and starts the session, in one transaction.
func (s *SSO) complete(ctx context.Context, p *ssoProvider, c idClaims, pending pendingLogin, client Client) (Completed, error) {
	a := s.accounts
	now := a.now().UTC().Truncate(time.Microsecond)
	var out Completed
	err := db.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		out = Completed{Next: pending.Next}
		ident, err := s.store.touch(ctx, tx, p.cfg.Name, c.Subject, clip(c.Email, 254), now)
		switch {
		case err == nil && pending.LinkUser != nil && ident.UserID != *pending.LinkUser:
			return atlas.Errorf(atlas.ErrConflict, "this %s identity is already linked to another account", p.cfg.DisplayName)
		case err == nil:
		case !errors.Is(err, atlas.ErrNotFound):
			return err
		default:
			if ident, err = s.linkOrCreate(ctx, tx, p, c, pending.LinkUser, now); err != nil {
				return err
			}
		}
		if out.User, err = a.store.ByID(ctx, tx, ident.UserID); err != nil {
			return err
		}
		if pending.LinkUser != nil {
			return nil
		}
		in, err := a.startSession(ctx, tx, ident.UserID, client)
		if err != nil {
			return err
		}
		out.SignIn = &in
		if err := a.noteSignInTx(ctx, tx, ident.UserID, client); err != nil {
			return err
		}
		return a.events.Record(ctx, tx, events.UserLoggedIn, &ident.UserID, events.UserEntity(ident.UserID),
			map[string]any{"provider": p.cfg.Name, "session_id": in.Session.ID})
	})
	if err != nil {
		return Completed{}, fmt.Errorf("sso sign-in: %w", err)
	}
	return out, nil
}

// linkOrCreate links a new identity: to the signed-in user who asked, to the
// account with the same email when the provider verified it, or to a new
// account. An existing account is never taken over by an unverified email.
func (s *SSO) linkOrCreate(ctx context.Context, tx pgx.Tx, p *ssoProvider, c idClaims, linkUser *uuid.UUID, now time.Time) (Identity, error) {
	a := s.accounts
	ident := Identity{Provider: p.cfg.Name, Subject: c.Subject, Email: clip(c.Email, 254), CreatedAt: now, LastLoginAt: now}
	via := "account_page"
	switch {
	case linkUser != nil:
		ident.UserID = *linkUser
	default:
		email, err := NormalizeEmail(c.Email)
		if err != nil {
			return Identity{}, atlas.Errorf(atlas.ErrForbidden, "%s gave no usable email address for this account", p.cfg.DisplayName)
		}
		u, _, err := a.store.ByEmail(ctx, tx, email)
		switch {
		case err == nil && (c.EmailVerified == nil || !*c.EmailVerified):
			return Identity{}, atlas.Errorf(atlas.ErrConflict, "an account with this email already exists and %s has not verified the address: "+
				"sign in with your password and link %s from your account page", p.cfg.DisplayName, p.cfg.DisplayName)
		case err == nil:
			ident.UserID, via = u.ID, "verified_email"
		case !errors.Is(err, atlas.ErrNotFound):
			return Identity{}, err
		default:
			if ident.UserID, err = s.createUser(ctx, tx, email, c.Name, now); err != nil {
				return Identity{}, err
			}
			via = "first_sign_in"
		}
	}
	if err := s.store.link(ctx, tx, ident); err != nil {
		return Identity{}, err
	}
	return ident, a.events.Record(ctx, tx, events.SSOLinked, &ident.UserID, events.UserEntity(ident.UserID),
		map[string]any{"provider": p.cfg.Name, "subject": c.Subject, "via": via})
}

// createUser makes the account of a first sign-in. Its password is a
// random secret nobody knows (password sign-in stays impossible until one
// is set: password_set is false). It is hashed with the same parameters as
// every password, so a password sign-in attempt takes as long for this
// account as for any other.
func (s *SSO) createUser(ctx context.Context, tx pgx.Tx, email, name string, now time.Time) (uuid.UUID, error) {
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	name, err := checkDisplayName(clip(name, 100))
	if err != nil {
		name, _, _ = strings.Cut(email, "@")
	}
	hash, err := argon2id.CreateHash(newSecret(""), s.accounts.hash)
	if err != nil {
		return uuid.Nil, fmt.Errorf("hash password: %w", err)
	}
	u := User{ID: uuid.Must(uuid.NewV7()), Email: email, DisplayName: name, CreatedAt: now}
	return u.ID, s.accounts.store.Insert(ctx, tx, u, hash, false)
}

// AuthorizeLink checks that the principal may link a provider to its
// account: a session (not an API token) of a user.
func AuthorizeLink(p Principal) error { return p.Authorize(AccessCredentials) }
