package account

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
)

// Password length limits, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ServiceParams configures a Service.
type ServiceParams struct {
	Pool   *pgxpool.Pool
	Tokens *TokenIssuer
	// Hash tunes argon2id; nil means argon2id.DefaultParams (64 MiB, t=1).
	Hash *argon2id.Params
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
}

// Service registers users, logs them in and authenticates tokens.
type Service struct {
	pool      *pgxpool.Pool
	store     Store
	tokens    *TokenIssuer
	hash      *argon2id.Params
	now       func() time.Time
	dummyHash string
}

// NewService returns a Service.
func NewService(p ServiceParams) (*Service, error) {
	if p.Hash == nil {
		p.Hash = argon2id.DefaultParams
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	// Login compares against this hash when the email is unknown, so a
	// miss costs as much time as a wrong password.
	dummy, err := argon2id.CreateHash("atlas-dummy-password", p.Hash)
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	return &Service{pool: p.Pool, tokens: p.Tokens, hash: p.Hash, now: p.NowFunc, dummyHash: dummy}, nil
}

// RegisterParams is a registration request.
type RegisterParams struct {
	Email       string
	Password    string
	DisplayName string
}

// NormalizeEmail trims an email and checks that it is a plain address.
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	addr, err := mail.ParseAddress(email)
	// Addresses are plain ASCII (RFC 5321, the API's "email" format): no
	// control characters, no internationalised forms.
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > 254 || !printableASCII(email) {
		return "", atlas.Invalid("email", "must be a valid email address such as ada@example.com")
	}
	return email, nil
}

// Register creates a user. A taken email (in any letter case) is
// atlas.ErrConflict.
func (s *Service) Register(ctx context.Context, p RegisterParams) (User, error) {
	email, err := NormalizeEmail(p.Email)
	if err != nil {
		return User{}, err
	}
	if n := utf8.RuneCountInString(p.Password); n < MinPasswordLen || n > MaxPasswordLen {
		return User{}, atlas.Invalid("password", "must be between %d and %d characters", MinPasswordLen, MaxPasswordLen)
	}
	name := strings.TrimSpace(p.DisplayName)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return User{}, atlas.Invalid("display_name", "must be between 1 and 100 characters")
	}
	hash, err := argon2id.CreateHash(p.Password, s.hash)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := User{ID: uuid.Must(uuid.NewV7()), Email: email, DisplayName: name, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if err := s.store.Insert(ctx, s.pool, u, hash); err != nil {
		return User{}, fmt.Errorf("register: %w", err)
	}
	return u, nil
}

// errBadCredentials is the single answer to every failed login.
var errBadCredentials = atlas.Errorf(atlas.ErrUnauthenticated, "email or password is incorrect")

// Login checks credentials and issues an access token. Unknown email and
// wrong password fail the same way, after the same amount of work.
func (s *Service) Login(ctx context.Context, email, password string) (Token, User, error) {
	u, hash, err := s.store.ByEmail(ctx, s.pool, strings.TrimSpace(email))
	switch {
	case errors.Is(err, atlas.ErrNotFound):
		_, _ = argon2id.ComparePasswordAndHash(password, s.dummyHash)
		return Token{}, User{}, errBadCredentials
	case err != nil:
		return Token{}, User{}, fmt.Errorf("login: %w", err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return Token{}, User{}, fmt.Errorf("login: compare hash: %w", err)
	}
	if !ok {
		return Token{}, User{}, errBadCredentials
	}
	tok, err := s.tokens.Issue(u.ID)
	if err != nil {
		return Token{}, User{}, fmt.Errorf("login: %w", err)
	}
	return tok, u, nil
}

// Authenticate verifies an access token and returns its user id.
func (s *Service) Authenticate(token string) (uuid.UUID, error) {
	return s.tokens.Verify(token)
}

// Get returns a user by id.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (User, error) {
	u, err := s.store.ByID(ctx, s.pool, id)
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// ByEmail returns a user by email (case-insensitive).
func (s *Service) ByEmail(ctx context.Context, email string) (User, error) {
	u, _, err := s.store.ByEmail(ctx, s.pool, email)
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// printableASCII reports whether s has only printable ASCII characters.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
