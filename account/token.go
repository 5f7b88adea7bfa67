package account

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
)

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
}

// TokenParams configures a TokenIssuer.
type TokenParams struct {
	Secret []byte
	Issuer string
	TTL    time.Duration
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
}

// TokenIssuer signs and verifies HS256 access tokens.
type TokenIssuer struct {
	p TokenParams
}

// NewTokenIssuer validates params and returns an issuer.
func NewTokenIssuer(p TokenParams) (*TokenIssuer, error) {
	if len(p.Secret) < 32 {
		return nil, fmt.Errorf("token secret must be at least 32 bytes, got %d", len(p.Secret))
	}
	if p.Issuer == "" {
		return nil, errors.New("token issuer is required")
	}
	if p.TTL <= 0 {
		return nil, errors.New("token ttl must be positive")
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &TokenIssuer{p: p}, nil
}

// Issue returns a signed token for userID.
func (ti *TokenIssuer) Issue(userID uuid.UUID) (Token, error) {
	now := ti.p.NowFunc()
	claims := jwt.RegisteredClaims{
		Issuer:    ti.p.Issuer,
		Subject:   userID.String(),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ti.p.TTL)),
		ID:        uuid.NewString(),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(ti.p.Secret)
	if err != nil {
		return Token{}, fmt.Errorf("sign token: %w", err)
	}
	return Token{AccessToken: s, ExpiresIn: ti.p.TTL}, nil
}

// Verify checks signature, algorithm, issuer and expiry and returns the
// user id. Every defect is atlas.ErrUnauthenticated.
func (ti *TokenIssuer) Verify(token string) (uuid.UUID, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return ti.p.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(ti.p.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(ti.p.NowFunc),
	)
	if err != nil {
		return uuid.Nil, atlas.Errorf(atlas.ErrUnauthenticated, "invalid or expired access token")
	}
	id, err := uuid.Parse(claims.Subject)
	if err != nil {
		return uuid.Nil, atlas.Errorf(atlas.ErrUnauthenticated, "invalid or expired access token")
	}
	return id, nil
}
