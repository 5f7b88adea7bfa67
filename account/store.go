package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/db"
)

// User is a registered account.
type User struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	CreatedAt   time.Time
}

// Store is the SQL for users.
type Store struct{}

const userColumns = `id, email, display_name, created_at`

func scanUser(row pgx.Row, extra ...any) (User, error) {
	var u User
	dest := append([]any{&u.ID, &u.Email, &u.DisplayName, &u.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return User{}, atlas.Errorf(atlas.ErrNotFound, "user not found")
		}
		return User{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

const insertUserSQL = `
INSERT INTO users (id, email, display_name, password_hash, password_set, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)`

// Insert stores a new user; a taken email is atlas.ErrConflict. passwordSet
// is false when the hash is of a secret nobody knows (an account made by a
// single sign-on), until a password is set.
func (Store) Insert(ctx context.Context, q db.Querier, u User, passwordHash string, passwordSet bool) error {
	_, err := q.Exec(ctx, insertUserSQL, u.ID, u.Email, u.DisplayName, passwordHash, passwordSet, u.CreatedAt)
	if db.IsUniqueViolation(err, "users_email_key") {
		return atlas.Errorf(atlas.ErrConflict, "an account with this email already exists")
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

const userByEmailSQL = `SELECT ` + userColumns + `, password_hash FROM users WHERE lower(email) = lower($1)`

// ByEmail finds a user and their password hash by email, case-insensitively.
func (Store) ByEmail(ctx context.Context, q db.Querier, email string) (User, string, error) {
	var hash string
	u, err := scanUser(q.QueryRow(ctx, userByEmailSQL, email), &hash)
	if err != nil {
		return User{}, "", fmt.Errorf("user by email: %w", err)
	}
	return u, hash, nil
}

const userByIDSQL = `SELECT ` + userColumns + ` FROM users WHERE id = $1`

// ByID finds a user by id.
func (Store) ByID(ctx context.Context, q db.Querier, id uuid.UUID) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, userByIDSQL, id))
	if err != nil {
		return User{}, fmt.Errorf("user by id: %w", err)
	}
	return u, nil
}

const passwordHashSQL = `SELECT password_hash FROM users WHERE id = $1`

// passwordHash returns a user's password hash.
func (Store) passwordHash(ctx context.Context, q db.Querier, id uuid.UUID) (string, error) {
	var hash string
	err := q.QueryRow(ctx, passwordHashSQL, id).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", atlas.Errorf(atlas.ErrNotFound, "user not found")
	}
	if err != nil {
		return "", fmt.Errorf("password hash: %w", err)
	}
	return hash, nil
}

//nolint:gosec // G101: SQL text, not a credential
const setPasswordSQL = `UPDATE users SET password_hash = $2, password_set = true, updated_at = $3 WHERE id = $1`

// setPassword stores a new password hash (one its owner knows).
func (Store) setPassword(ctx context.Context, q db.Querier, id uuid.UUID, hash string, now time.Time) error {
	if _, err := q.Exec(ctx, setPasswordSQL, id, hash, now); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

const setDisplayNameSQL = `UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1 RETURNING ` + userColumns

// setDisplayName changes a user's display name and returns the user.
func (Store) setDisplayName(ctx context.Context, q db.Querier, id uuid.UUID, name string, now time.Time) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, setDisplayNameSQL, id, name, now))
	if err != nil {
		return User{}, fmt.Errorf("set display name: %w", err)
	}
	return u, nil
}
