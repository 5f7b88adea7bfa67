package account

import (
	"github.com/google/uuid"

	"github.com/atlasapp/atlas"
)

// Scope is what a personal API token may do.
type Scope string

// Scopes of personal API tokens.
const (
	// ScopeRead reads: any write is refused.
	ScopeRead Scope = "read"
	// ScopeWrite reads and writes, like the user, except for credentials.
	ScopeWrite Scope = "write"
	// ScopeFeed reads the feeds of the user's collections and nothing
	// else: the JSON API refuses it (its secret starts with
	// FeedTokenPrefix, and Authorize refuses every access).
	ScopeFeed Scope = "feed"
)

// Access is the kind of thing a request asks to do.
type Access int

// Kinds of access, from least to most sensitive.
const (
	// AccessRead reads.
	AccessRead Access = iota
	// AccessWrite changes something.
	AccessWrite
	// AccessCredentials creates credentials (API tokens) or changes the
	// password: only a signed-in session may.
	AccessCredentials
)

// Principal is who a request acts as: a user, through the access token of
// one of their sessions or through one of their personal API tokens.
type Principal struct {
	UserID uuid.UUID
	// SessionID is the session of an access token (uuid.Nil for an API
	// token).
	SessionID uuid.UUID
	// TokenID and Scope describe an API token (uuid.Nil and "" for a
	// session).
	TokenID uuid.UUID
	Scope   Scope
}

// ViaToken reports whether the principal authenticated with an API token.
func (p Principal) ViaToken() bool { return p.TokenID != uuid.Nil }

// Authorize decides whether the principal may have access a: a session may
// do anything its user may; a write token anything but AccessCredentials; a
// read token only AccessRead; a feed token nothing (feeds authenticate it
// with AuthenticateFeed). A refusal is atlas.ErrForbidden.
func (p Principal) Authorize(a Access) error {
	if !p.ViaToken() {
		return nil
	}
	switch {
	case p.Scope == ScopeFeed:
		return atlas.Errorf(atlas.ErrForbidden, "a feed token only reads feeds")
	case a == AccessCredentials:
		return atlas.Errorf(atlas.ErrForbidden, "API tokens cannot create API tokens or change the password: sign in with your password")
	case a == AccessWrite && p.Scope != ScopeWrite:
		return atlas.Errorf(atlas.ErrForbidden, "this API token has the read scope: it cannot change anything")
	}
	return nil
}
