package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/atlasapp/atlas/account"
)

// RegisterInput is a registration request.
type RegisterInput struct {
	Body struct {
		Email       string `json:"email" maxLength:"254" example:"ada@example.com"`
		Password    string `json:"password" minLength:"10" maxLength:"256" doc:"At least 10 characters."`
		DisplayName string `json:"display_name,omitempty" maxLength:"100" example:"Ada Lovelace" doc:"Optional; defaults to the part of the email before @."`
	}
}

// UserOutput answers with one user.
type UserOutput struct {
	Body User
}

// LoginInput is a login request.
type LoginInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		Email    string `json:"email" maxLength:"254" example:"ada@example.com"`
		Password string `json:"password" maxLength:"256"`
	}
}

// ChangePasswordInput changes the caller's password.
type ChangePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"256"`
		NewPassword     string `json:"new_password" minLength:"10" maxLength:"256" doc:"At least 10 characters."`
	}
}

// UpdateMeInput changes the caller's profile.
type UpdateMeInput struct {
	Body struct {
		DisplayName string `json:"display_name" minLength:"1" maxLength:"100" example:"Ada Lovelace"`
	}
}

func (s *Server) registerAuth() {
	huma.Register(s.api, huma.Operation{
		OperationID: "register", Method: http.MethodPost, Path: "/api/v1/auth/register",
		Summary: "Create an account", Tags: []string{"Auth"}, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *RegisterInput) (*UserOutput, error) {
		if err := s.passwordAllowed(); err != nil {
			return nil, s.problem(ctx, err)
		}
		u, err := s.accounts.Register(ctx, account.RegisterParams{
			Email: in.Body.Email, Password: in.Body.Password, DisplayName: in.Body.DisplayName,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &UserOutput{Body: toUser(u)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login",
		Summary: "Log in: start a session and get an access token", Tags: []string{"Auth"},
		Description: "Starts a session: answers a short-lived access token and sets the session cookie (atlas_session), " +
			"which POST /api/v1/auth/refresh trades for the next access token. " +
			"Wrong email and wrong password fail identically, so the answer does not reveal whether an account exists.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *LoginInput) (*SessionOutput, error) {
		if err := s.passwordAllowed(); err != nil {
			return nil, s.problem(ctx, err)
		}
		signIn, u, err := s.accounts.Login(ctx, in.Body.Email, in.Body.Password, client(ctx, in.UserAgent))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
			info.UserID = u.ID
		}
		return s.sessionOutput(signIn), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "me", Method: http.MethodGet, Path: "/api/v1/auth/me",
		Summary: "The authenticated user", Tags: []string{"Auth"}, Security: secured,
		Errors: []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*UserOutput, error) {
		u, err := s.accounts.Get(ctx, caller(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &UserOutput{Body: toUser(u)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-me", Method: http.MethodPatch, Path: "/api/v1/auth/me",
		Summary: "Change your display name", Tags: []string{"Auth"}, Security: secured,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *UpdateMeInput) (*UserOutput, error) {
		u, err := s.accounts.UpdateProfile(ctx, principal(ctx), account.UpdateProfileParams{DisplayName: in.Body.DisplayName})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &UserOutput{Body: toUser(u)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "change-password", Method: http.MethodPost, Path: pathPassword,
		Summary: "Change your password", Tags: []string{"Auth"}, Security: secured, DefaultStatus: http.StatusNoContent,
		Description: "Needs the current password (wrong: 403, nothing changes) and a session (API tokens get 403). " +
			"Ends every other session of yours; API tokens stay valid.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ChangePasswordInput) (*struct{}, error) {
		err := s.accounts.ChangePassword(ctx, principal(ctx), account.ChangePasswordParams{Current: in.Body.CurrentPassword, New: in.Body.NewPassword})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
