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
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/cursor"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/events"
	atlasmail "github.com/atlasapp/atlas/mail"
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
	// Cursors signs the cursors of the session and token lists.
	Cursors *cursor.Codec
	// Recorder records account security events (audit trail).
	Recorder *events.Recorder
	// SessionIdleTTL ends a session not refreshed for this long;
	// SessionMaxTTL ends every session this long after sign-in. Zero means
	// DefaultSessionIdleTTL and DefaultSessionMaxTTL.
	SessionIdleTTL, SessionMaxTTL time.Duration
	// Hash tunes argon2id; nil means argon2id.DefaultParams (64 MiB, t=1).
	Hash *argon2id.Params
	// NowFunc returns the current time (defaults to time.Now).
	NowFunc func() time.Time
	// Mail enqueues account emails (password reset); nil: email is off.
	Mail MailQueue
}

// Service registers users, signs them in, keeps their sessions and API
// tokens, and authenticates every request.
type Service struct {
	pool      *pgxpool.Pool
	store     Store
	sessions  sessionStore
	apiTokens apiTokenStore
	tokens    *TokenIssuer
	cursor    *cursor.Codec
	events    *events.Recorder
	hash      *argon2id.Params
	now       func() time.Time
	dummyHash string
	mail      MailQueue
	idleTTL   time.Duration
	maxTTL    time.Duration
	// active remembers, per session id, its user (uuid.Nil: ended);
	// tokenCache, per API token hash, the token (zero: unknown).
	active     *freshCache[uuid.UUID, uuid.UUID]
	tokenCache *freshCache[string, APIToken]
}

// NewService returns a Service.
func NewService(p ServiceParams) (*Service, error) {
	if p.Hash == nil {
		p.Hash = argon2id.DefaultParams
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	if p.SessionIdleTTL <= 0 {
		p.SessionIdleTTL = DefaultSessionIdleTTL
	}
	if p.SessionMaxTTL <= 0 {
		p.SessionMaxTTL = DefaultSessionMaxTTL
	}
	if p.SessionIdleTTL > p.SessionMaxTTL {
		return nil, fmt.Errorf("session idle timeout %s exceeds the maximum session length %s", p.SessionIdleTTL, p.SessionMaxTTL)
	}
	// Login compares against this hash when the email is unknown, so a
	// miss costs as much time as a wrong password.
	dummy, err := argon2id.CreateHash("atlas-dummy-password", p.Hash)
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	return &Service{pool: p.Pool, tokens: p.Tokens, cursor: p.Cursors, events: p.Recorder, hash: p.Hash, now: p.NowFunc,
		dummyHash: dummy, mail: p.Mail, idleTTL: p.SessionIdleTTL, maxTTL: p.SessionMaxTTL,
		active:     newFreshCache[uuid.UUID, uuid.UUID](revocationTTL),
		tokenCache: newFreshCache[string, APIToken](revocationTTL)}, nil
}

// RegisterParams is a registration request.
type RegisterParams struct {
	Email    string
	Password string
	// DisplayName is optional: empty means the part of the email before @.
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
	if err := checkPassword("password", p.Password); err != nil {
		return User{}, err
	}
	name := p.DisplayName
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	name, err = checkDisplayName(name)
	if err != nil {
		return User{}, err
	}
	hash, err := argon2id.CreateHash(p.Password, s.hash)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := User{ID: uuid.Must(uuid.NewV7()), Email: email, DisplayName: name, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.Insert(ctx, tx, u, hash, true); err != nil {
			return err
		}
		return s.onRegistered(ctx, tx, u)
	})
	if err != nil {
		return User{}, fmt.Errorf("register: %w", err)
	}
	return u, nil
}

// checkPassword enforces the password rules on field.
func checkPassword(field, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen || n > MaxPasswordLen {
		return atlas.Invalid(field, "must be between %d and %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// checkDisplayName trims a display name and checks its length.
func checkDisplayName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return "", atlas.Invalid("display_name", "must be between 1 and 100 characters")
	}
	return name, nil
}

// errBadCredentials is the single answer to every failed login.
var errBadCredentials = atlas.Errorf(atlas.ErrUnauthenticated, "email or password is incorrect")

// Login checks credentials and starts a session: an access token plus a
// refresh token. Unknown email and wrong password fail the same way, after
// the same amount of work.
func (s *Service) Login(ctx context.Context, email, password string, c Client) (SignIn, User, error) {
	u, hash, err := s.store.ByEmail(ctx, s.pool, strings.TrimSpace(email))
	switch {
	case errors.Is(err, atlas.ErrNotFound):
		_, _ = argon2id.ComparePasswordAndHash(password, s.dummyHash)
		return SignIn{}, User{}, errBadCredentials
	case err != nil:
		return SignIn{}, User{}, fmt.Errorf("login: %w", err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return SignIn{}, User{}, fmt.Errorf("login: compare hash: %w", err)
	}
	if !ok {
		return SignIn{}, User{}, errBadCredentials
	}
	in, err := s.startSession(ctx, s.pool, u.ID, c)
	if err != nil {
		return SignIn{}, User{}, fmt.Errorf("login: %w", err)
	}
	if err := s.noteSignIn(ctx, u.ID, c); err != nil {
		return SignIn{}, User{}, fmt.Errorf("login: %w", err)
	}
	return in, u, nil
}

// Authenticate resolves a bearer credential, an access token or a personal
// API token (APITokenPrefix), to the principal it acts for. An access token
// must be valid and its session alive; an API token must exist and not
// have expired. Every failure is atlas.ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if strings.HasPrefix(bearer, APITokenPrefix) {
		return s.authenticateAPIToken(ctx, bearer)
	}
	c, err := s.tokens.Verify(bearer)
	if err != nil {
		return Principal{}, err
	}
	if err := s.sessionActive(ctx, c); err != nil {
		return Principal{}, err
	}
	return Principal{UserID: c.UserID, SessionID: c.SessionID}, nil
}

// ChangePasswordParams is a password change.
type ChangePasswordParams struct {
	Current, New string
}

// ChangePassword replaces the principal's password after checking the
// current one (wrong: atlas.ErrForbidden, nothing changes) and ends every
// other session of the user; API tokens stay valid. Only a session may.
func (s *Service) ChangePassword(ctx context.Context, p Principal, in ChangePasswordParams) error {
	if err := p.Authorize(AccessCredentials); err != nil {
		return err
	}
	if err := checkPassword("new_password", in.New); err != nil {
		return err
	}
	hash, err := s.store.passwordHash(ctx, s.pool, p.UserID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	ok, err := argon2id.ComparePasswordAndHash(in.Current, hash)
	if err != nil {
		return fmt.Errorf("change password: compare hash: %w", err)
	}
	if !ok {
		return atlas.Errorf(atlas.ErrForbidden, "the current password is incorrect")
	}
	newHash, err := argon2id.CreateHash(in.New, s.hash)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var revoked []uuid.UUID
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.store.setPassword(ctx, tx, p.UserID, newHash, s.now().UTC()); err != nil {
			return err
		}
		if revoked, err = s.sessions.deleteOthers(ctx, tx, p.UserID, p.SessionID); err != nil {
			return err
		}
		if err := s.events.Record(ctx, tx, events.PasswordChanged, &p.UserID, events.UserEntity(p.UserID), nil); err != nil {
			return err
		}
		if err := s.notice(ctx, tx, p.UserID, atlasmail.NoticePasswordChanged, ""); err != nil {
			return err
		}
		return s.recordRevoked(ctx, tx, p.UserID, revoked, RevokedByPasswordChange)
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	s.active.drop(revoked...)
	return nil
}

// UpdateProfileParams changes a user's profile.
type UpdateProfileParams struct {
	DisplayName string
}

// UpdateProfile changes the principal's display name.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, in UpdateProfileParams) (User, error) {
	if err := p.Authorize(AccessWrite); err != nil {
		return User{}, err
	}
	name, err := checkDisplayName(in.DisplayName)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.setDisplayName(ctx, s.pool, p.UserID, name, s.now().UTC())
	if err != nil {
		return User{}, fmt.Errorf("update profile: %w", err)
	}
	return u, nil
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
