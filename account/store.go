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
INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)`

// Insert stores a new user; a taken email is atlas.ErrConflict.
func (Store) Insert(ctx context.Context, q db.Querier, u User, passwordHash string) error {
	_, err := q.Exec(ctx, insertUserSQL, u.ID, u.Email, u.DisplayName, passwordHash, u.CreatedAt)
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
