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

// accessClaims are an access token's claims: the registered ones plus the
// session the token belongs to, so revoking the session revokes it.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// Claims is what a verified access token says.
type Claims struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
}

// TokenParams configures a TokenIssuer.
type TokenParams struct {
	Secret []byte
	Issuer string
	TTL    time.Duration
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
}

// TokenIssuer signs and verifies HS256 access tokens. Verification checks
// the token alone; whether its session is still alive is the Service's
// question.
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

// Issue returns a signed token for userID in session sessionID.
func (ti *TokenIssuer) Issue(userID, sessionID uuid.UUID) (Token, error) {
	now := ti.p.NowFunc()
	claims := accessClaims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    ti.p.Issuer,
		Subject:   userID.String(),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ti.p.TTL)),
		ID:        uuid.NewString(),
	}, SessionID: sessionID.String()}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(ti.p.Secret)
	if err != nil {
		return Token{}, fmt.Errorf("sign token: %w", err)
	}
	return Token{AccessToken: s, ExpiresIn: ti.p.TTL}, nil
}

// Verify checks signature, algorithm, issuer and expiry and returns the
// user and session ids. Every defect is atlas.ErrUnauthenticated.
func (ti *TokenIssuer) Verify(token string) (Claims, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return ti.p.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(ti.p.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(ti.p.NowFunc),
	)
	if err != nil {
		return Claims{}, errBadAccessToken
	}
	id, err := uuid.Parse(claims.Subject)
	if err != nil {
		return Claims{}, errBadAccessToken
	}
	sid, err := uuid.Parse(claims.SessionID)
	if err != nil || sid == uuid.Nil {
		return Claims{}, errBadAccessToken
	}
	return Claims{UserID: id, SessionID: sid}, nil
}

// errBadAccessToken is the one answer to every defective access token.
var errBadAccessToken = atlas.Errorf(atlas.ErrUnauthenticated, "invalid or expired access token")
