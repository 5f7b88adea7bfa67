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
		DisplayName string `json:"display_name" minLength:"1" maxLength:"100" example:"Ada Lovelace"`
	}
}

// UserOutput answers with one user.
type UserOutput struct {
	Body User
}

// LoginInput is a login request.
type LoginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" example:"ada@example.com"`
		Password string `json:"password" maxLength:"256"`
	}
}

// LoginOutput carries an access token.
type LoginOutput struct {
	Body struct {
		AccessToken string `json:"access_token" doc:"Send as Authorization: Bearer <access_token>."`
		TokenType   string `json:"token_type" enum:"Bearer"`
		ExpiresIn   int    `json:"expires_in" doc:"Seconds until the token expires."`
	}
}

func (s *Server) registerAuth() {
	huma.Register(s.api, huma.Operation{
		OperationID: "register", Method: http.MethodPost, Path: "/api/v1/auth/register",
		Summary: "Create an account", Tags: []string{"Auth"}, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *RegisterInput) (*UserOutput, error) {
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
		Summary: "Log in and get an access token", Tags: []string{"Auth"},
		Description: "Wrong email and wrong password fail identically, so the answer does not reveal whether an account exists.",
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, in *LoginInput) (*LoginOutput, error) {
		tok, u, err := s.accounts.Login(ctx, in.Body.Email, in.Body.Password)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
			info.UserID = u.ID
		}
		out := &LoginOutput{}
		out.Body.AccessToken, out.Body.TokenType, out.Body.ExpiresIn = tok.AccessToken, "Bearer", int(tok.ExpiresIn.Seconds())
		return out, nil
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
}
