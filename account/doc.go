// Package account owns users and their credentials: registration with
// argon2id password hashes, login that does not reveal whether an email is
// registered, and the HS256 access tokens that authenticate every other API
// call.
package account
