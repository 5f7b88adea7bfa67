// Package atlas holds the vocabulary shared by every Atlas domain package:
// the kinds of failure a caller can act on. Domain packages return these
// (wrapped with context); the HTTP edge maps each kind to one status code in
// one table, so a rule like "non-members get 404" is decided once.
package atlas

import (
	"errors"
	"fmt"
)

// Kinds of failure. Check them with errors.Is.
var (
	// ErrNotFound: the thing does not exist, or the caller may not know it exists.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller may see the thing but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the request contradicts the current state (duplicate, last owner).
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated: no valid credentials.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrInvalid: the input is malformed or breaks a rule (field errors attached).
	ErrInvalid = errors.New("invalid input")
	// ErrBadRequest: the request cannot be understood (for example a tampered cursor).
	ErrBadRequest = errors.New("bad request")
	// ErrUnavailable: a service the request needs is down for now; retrying later may succeed.
	ErrUnavailable = errors.New("unavailable")
	// ErrTooLarge: an upload is over its size cap.
	ErrTooLarge = errors.New("too large")
)

// Error is a failure with a message that is safe to show to the client.
// Wrap it freely; errors.As finds it and errors.Is matches its Kind.
type Error struct {
	Kind    error
	Message string
	// Field names the offending input field for ErrInvalid, if any.
	Field string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is this error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap exposes the kind.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an Error of the given kind with a client-safe message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a rule broken by one input field.
func Invalid(field, format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}
