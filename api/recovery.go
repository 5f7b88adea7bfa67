package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Password reset routes (rate limited per client IP; the request also per
// email address).
const (
	pathPasswordReset        = "/api/v1/auth/password-reset"         //nolint:gosec // G101: a route, not a credential
	pathPasswordResetConfirm = "/api/v1/auth/password-reset/confirm" //nolint:gosec // G101: a route, not a credential
)

// PasswordResetInput asks for a reset link by email.
type PasswordResetInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" example:"ada@example.com"`
	}
}

// PasswordResetOutput is the one answer to every well-formed reset request.
type PasswordResetOutput struct {
	Body struct {
		Message string `json:"message" example:"If an account has this address, a reset link is on its way."`
	}
}

// PasswordResetConfirmInput sets a new password with a reset link's token.
type PasswordResetConfirmInput struct {
	Body struct {
		Token       string `json:"token" maxLength:"128" doc:"The token of the emailed link (after #token=)."`
		NewPassword string `json:"new_password" minLength:"10" maxLength:"256" doc:"At least 10 characters."`
	}
}

func (s *Server) registerPasswordReset() {
	huma.Register(s.api, huma.Operation{
		OperationID: "request-password-reset", Method: http.MethodPost, Path: pathPasswordReset,
		Summary: "Ask for a password reset link by email", Tags: []string{"Auth"}, DefaultStatus: http.StatusAccepted,
		Description: "Answers 202 with the same body whether or not an account has the address (and after the same work: " +
			"the email is prepared in the background), so the answer tells nobody who has an account. " +
			"The link works once, for an hour. Rate limited per client address and per email address.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *PasswordResetInput) (*PasswordResetOutput, error) {
		if err := s.accounts.RequestPasswordReset(ctx, in.Body.Email); err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &PasswordResetOutput{}
		out.Body.Message = "If an account has this address, a reset link is on its way."
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "confirm-password-reset", Method: http.MethodPost, Path: pathPasswordResetConfirm,
		Summary: "Set a new password with a reset link", Tags: []string{"Auth"}, DefaultStatus: http.StatusNoContent,
		Description: "Uses the link (once; an unknown, used or expired token is 422) and ends every session of the account: " +
			"sign in again with the new password. API tokens stay valid.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *PasswordResetConfirmInput) (*struct{}, error) {
		if err := s.accounts.ConfirmPasswordReset(ctx, in.Body.Token, in.Body.NewPassword); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
