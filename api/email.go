package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas/account"
)

// pathVerifyEmail confirms an address with an emailed link (public, rate
// limited per client IP).
const pathVerifyEmail = "/api/v1/auth/verify-email"

// EmailSettings are the caller's email status and preferences.
type EmailSettings struct {
	EmailVerified   bool `json:"email_verified" doc:"The account's address was confirmed through an emailed link."`
	SecurityNotices bool `json:"security_notices" doc:"Email me when my password changes, an API token is created or someone signs in from a new device."`
	EmailSending    bool `json:"email_sending" doc:"This server sends email at all; when false, no link or notice is sent."`
}

func toEmailSettings(s account.EmailSettings) EmailSettings {
	return EmailSettings{EmailVerified: s.Verified, SecurityNotices: s.SecurityNotices, EmailSending: s.Sending}
}

// EmailSettingsOutput answers with the caller's email settings.
type EmailSettingsOutput struct {
	Body EmailSettings
}

// UpdateEmailSettingsInput changes the caller's email preferences.
type UpdateEmailSettingsInput struct {
	Body struct {
		SecurityNotices bool `json:"security_notices"`
	}
}

// VerifyEmailInput confirms an address.
type VerifyEmailInput struct {
	Body struct {
		Token string `json:"token" maxLength:"128" doc:"The token of the emailed link (after #token=)."`
	}
}

func (s *Server) registerEmailSettings() {
	tags := []string{"Auth"}
	huma.Register(s.api, huma.Operation{
		OperationID: "get-email-settings", Method: http.MethodGet, Path: "/api/v1/auth/email",
		Summary: "Your address's verification and your email preferences", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*EmailSettingsOutput, error) {
		st, err := s.accounts.EmailSettings(ctx, principal(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &EmailSettingsOutput{Body: toEmailSettings(st)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-email-settings", Method: http.MethodPatch, Path: "/api/v1/auth/email",
		Summary: "Turn security notices on or off", Tags: tags, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *UpdateEmailSettingsInput) (*EmailSettingsOutput, error) {
		st, err := s.accounts.SetSecurityNotices(ctx, principal(ctx), in.Body.SecurityNotices)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &EmailSettingsOutput{Body: toEmailSettings(st)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "send-email-verification", Method: http.MethodPost, Path: "/api/v1/auth/email/verification",
		Summary: "Email yourself a new verification link", Tags: tags, Security: secured, DefaultStatus: http.StatusAccepted,
		Description: "The link works once, for a day, and replaces earlier ones. Already verified, or email off on the server: 409.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		if err := s.accounts.SendVerification(ctx, principal(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "verify-email", Method: http.MethodPost, Path: pathVerifyEmail,
		Summary: "Confirm your address with an emailed link", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "No sign-in needed: the link proves the mailbox. An unknown, used or expired token is 422.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *VerifyEmailInput) (*struct{}, error) {
		if err := s.accounts.VerifyEmail(ctx, in.Body.Token); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
