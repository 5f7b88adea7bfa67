package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/account"
)

// The cookie that binds a single sign-on to the browser that started it:
// sent back to the callback only (SameSite=Lax: the callback is a top-level
// navigation from the provider), for account.LoginTTL.
const (
	ssoCookie     = "atlas_sso"
	ssoCookiePath = "/api/v1/auth/oidc"
)

// errPasswordLoginOff answers password registration and login when
// ATLAS_AUTH_PASSWORD_LOGIN=false.
var errPasswordLoginOff = atlas.Errorf(atlas.ErrForbidden,
	"password sign-in is turned off on this Atlas: sign in with single sign-on (GET /api/v1/auth/providers lists the providers)")

// passwordAllowed refuses password registration and login when they are off.
func (s *Server) passwordAllowed() error {
	if s.noPasswordLogin {
		return errPasswordLoginOff
	}
	return nil
}

// origin is the host the caller reached Atlas at: with the scheme, the base
// of the redirect URI a provider sends the browser back to (which the
// provider checks against the client's registered redirect URIs).
type origin struct{ host string }

// Resolve reads the request's host.
func (o *origin) Resolve(ctx huma.Context) []error {
	o.host = ctx.Host()
	return nil
}

// originOf is scheme://host: HTTPS in production (Secure cookies, served
// over TLS), else HTTP.
func (s *Server) originOf(o origin) string {
	if s.cookies.secure {
		return "https://" + o.host
	}
	return "http://" + o.host
}

// AuthProvider is a sign-in provider on the login page.
type AuthProvider struct {
	Name        string `json:"name" example:"google"`
	DisplayName string `json:"display_name" example:"Google"`
	Available   bool   `json:"available" doc:"False while the provider cannot be reached (password sign-in, where on, still works)."`
	StartURL    string `json:"start_url" doc:"Send the browser here to sign in (append ?next=/path to come back to a page)."`
	// EndSessionURL: empty when the provider offers no end_session_endpoint.
	EndSessionURL string `json:"end_session_url,omitempty" doc:"The provider's end_session_endpoint (RP-initiated logout), when it offers one."`
}

// AuthMethodsOutput lists how one can sign in.
type AuthMethodsOutput struct {
	Body struct {
		PasswordLogin bool           `json:"password_login" doc:"Whether password registration and sign-in are on."`
		Providers     []AuthProvider `json:"providers"`
	}
}

// ProviderPath names a provider.
type ProviderPath struct {
	Provider string `path:"provider" maxLength:"40" pattern:"^[a-z0-9]+$" doc:"The provider's name (ATLAS_OIDC_<NAME>_*, lower case)."`
}

// SSOStartInput starts a single sign-on.
type SSOStartInput struct {
	ProviderPath
	Next   string `query:"next" maxLength:"2048" doc:"A path on this site to go to after signing in (default /)."`
	origin origin
}

// Resolve reads the request's origin.
func (in *SSOStartInput) Resolve(ctx huma.Context) []error { return in.origin.Resolve(ctx) }

// RedirectOutput sends the browser elsewhere, setting cookies.
type RedirectOutput struct {
	Status    int
	Location  string        `header:"Location"`
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

// SSOCallbackInput is the provider's answer.
type SSOCallbackInput struct {
	ProviderPath
	State            string `query:"state" maxLength:"512"`
	Code             string `query:"code" maxLength:"4096"`
	Error            string `query:"error" maxLength:"256" doc:"Set by the provider when it refused the sign-in."`
	ErrorDescription string `query:"error_description" maxLength:"1024"`
	Binding          string `cookie:"atlas_sso" doc:"The cookie set by start or link."`
	UserAgent        string `header:"User-Agent"`
	origin           origin
}

// Resolve reads the request's origin.
func (in *SSOCallbackInput) Resolve(ctx huma.Context) []error { return in.origin.Resolve(ctx) }

// SSOLinkInput starts linking a provider to the caller's account.
type SSOLinkInput struct {
	ProviderPath
	Body struct {
		Next string `json:"next,omitempty" maxLength:"2048" doc:"A path on this site to come back to (default /account)."`
	}
	origin origin
}

// Resolve reads the request's origin.
func (in *SSOLinkInput) Resolve(ctx huma.Context) []error { return in.origin.Resolve(ctx) }

// SSOLinkOutput is where to send the browser to confirm the link.
type SSOLinkOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		RedirectURL string `json:"redirect_url" doc:"Send the browser here; the provider sends it back to the callback, which links the identity."`
	}
}

// LinkedIdentity is a provider linked to the caller's account.
type LinkedIdentity struct {
	Provider    string    `json:"provider"`
	Email       string    `json:"email" doc:"The address the provider gave at the last sign-in."`
	CreatedAt   time.Time `json:"created_at"`
	LastLoginAt time.Time `json:"last_login_at"`
	Unlinkable  bool      `json:"unlinkable" doc:"Whether it may be unlinked now: false when it is the account's last way to sign in."`
}

// IdentitiesOutput lists linked identities.
type IdentitiesOutput struct {
	Body struct {
		Items []LinkedIdentity `json:"items"`
	}
}

func (s *Server) bindingCookie(st account.Started) http.Cookie {
	//nolint:gosec // G124: Secure follows ATLAS_ENV like the session cookie
	return http.Cookie{Name: ssoCookie, Value: st.Binding, Path: ssoCookiePath, HttpOnly: true, Secure: s.cookies.secure,
		SameSite: http.SameSiteLaxMode, Expires: st.ExpiresAt, MaxAge: int(account.LoginTTL.Seconds())}
}

func (s *Server) clearBindingCookie() http.Cookie {
	//nolint:gosec // G124: as bindingCookie
	return http.Cookie{Name: ssoCookie, Value: "", Path: ssoCookiePath, HttpOnly: true, Secure: s.cookies.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1}
}

func (s *Server) registerSSO() {
	huma.Register(s.api, huma.Operation{
		OperationID: "auth-methods", Method: http.MethodGet, Path: "/api/v1/auth/providers",
		Summary: "How to sign in: password and single sign-on providers", Tags: []string{"Auth"},
	}, func(_ context.Context, _ *struct{}) (*AuthMethodsOutput, error) {
		out := &AuthMethodsOutput{}
		out.Body.PasswordLogin = !s.noPasswordLogin
		out.Body.Providers = []AuthProvider{}
		for _, p := range s.sso.Providers() {
			out.Body.Providers = append(out.Body.Providers, AuthProvider{Name: p.Name, DisplayName: p.DisplayName,
				Available: p.Available, StartURL: "/api/v1/auth/oidc/" + p.Name + "/start", EndSessionURL: p.EndSessionURL})
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "sso-start", Method: http.MethodGet, Path: "/api/v1/auth/oidc/{provider}/start",
		Summary: "Sign in with a provider (a browser redirect)", Tags: []string{"Auth"}, DefaultStatus: http.StatusFound,
		Description: "Redirects the browser to the provider (authorization code flow with PKCE, state and nonce) and sets a " +
			"short-lived cookie that ties the sign-in to this browser. A provider that cannot be reached answers 503.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *SSOStartInput) (*RedirectOutput, error) {
		st, err := s.sso.Start(ctx, in.Provider, s.originOf(in.origin), in.Next, nil)
		if err != nil {
			return nil, s.problem(ctx, err, inputAt{Field: "next", Location: "query.next"})
		}
		return &RedirectOutput{Status: http.StatusFound, Location: st.RedirectURL, SetCookie: []http.Cookie{s.bindingCookie(st)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "sso-callback", Method: http.MethodGet, Path: "/api/v1/auth/oidc/{provider}/callback",
		Summary: "Where the provider sends the browser back", Tags: []string{"Auth"}, DefaultStatus: http.StatusSeeOther,
		Description: "Completes the sign-in: the state must be this browser's and unused, the code is exchanged with the PKCE " +
			"verifier, and the ID token's signature, issuer, audience, expiry and nonce are checked. The first sign-in creates " +
			"the account; an existing account is linked only when the provider verified its email. Sets the session cookie " +
			"and redirects to `next` (after linking from the account page: no new session).",
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
			http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *SSOCallbackInput) (*RedirectOutput, error) {
		clear := s.clearBindingCookie()
		fail := func(err error) error {
			return huma.ErrorWithHeaders(s.problem(ctx, err), http.Header{"Set-Cookie": {clear.String()}})
		}
		if in.Error != "" {
			return nil, fail(atlas.Errorf(atlas.ErrForbidden, "the provider did not sign you in (%s)", in.Error))
		}
		done, err := s.sso.Callback(ctx, account.CallbackParams{Provider: in.Provider, Origin: s.originOf(in.origin),
			State: in.State, Code: in.Code, Binding: in.Binding, Client: client(ctx, in.UserAgent)})
		if err != nil {
			return nil, fail(err)
		}
		cookies := []http.Cookie{clear}
		if done.SignIn != nil {
			cookies = append(cookies, s.cookies.set(*done.SignIn, time.Now()))
			if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
				info.UserID = done.User.ID
			}
		}
		return &RedirectOutput{Status: http.StatusSeeOther, Location: done.Next, SetCookie: cookies}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "sso-link", Method: http.MethodPost, Path: "/api/v1/auth/oidc/{provider}/link",
		Summary: "Link a provider to your account", Tags: []string{"Auth"}, Security: secured,
		Description: "Answers the provider URL to send the browser to; when it comes back, the identity is linked to your " +
			"account (sessions only: API tokens get 403).",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity,
			http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *SSOLinkInput) (*SSOLinkOutput, error) {
		p := principal(ctx)
		if err := account.AuthorizeLink(p); err != nil {
			return nil, s.problem(ctx, err)
		}
		next := in.Body.Next
		if next == "" {
			next = "/account"
		}
		st, err := s.sso.Start(ctx, in.Provider, s.originOf(in.origin), next, &p.UserID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &SSOLinkOutput{SetCookie: s.bindingCookie(st)}
		out.Body.RedirectURL = st.RedirectURL
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-identities", Method: http.MethodGet, Path: "/api/v1/auth/identities",
		Summary: "Your linked sign-ins", Tags: []string{"Auth"}, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*IdentitiesOutput, error) {
		ids, err := s.sso.Identities(ctx, principal(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &IdentitiesOutput{}
		out.Body.Items = make([]LinkedIdentity, 0, len(ids))
		for _, i := range ids {
			out.Body.Items = append(out.Body.Items, LinkedIdentity{Provider: i.Provider, Email: i.Email, CreatedAt: i.CreatedAt, LastLoginAt: i.LastLoginAt,
				Unlinkable: i.Unlinkable})
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "sso-unlink", Method: http.MethodDelete, Path: "/api/v1/auth/identities/{provider}",
		Summary: "Unlink a provider from your account", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Description: "Removes the linked sign-in (sessions only: API tokens get 403). Refused with 409 when it is the account's " +
			"last way to sign in: an account made by a single sign-on whose password was never set (reset it by email), or any " +
			"account while password sign-in is off, keeps its last provider until another is linked.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *ProviderPath) (*struct{}, error) {
		if err := s.sso.Unlink(ctx, principal(ctx), in.Provider); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
