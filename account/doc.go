// Package account owns users and their credentials, and decides what each
// credential may do.
//
// Passwords are argon2id hashes; login does not reveal whether an email is
// registered. Signing in starts a session: a short-lived HS256 access token
// that names the session (sid), and an opaque refresh token that the
// dashboard keeps in an HttpOnly cookie. Refreshing rotates the refresh
// token; presenting one that was already rotated away means someone else
// has a copy, so the whole session is revoked (reuse detection, as the
// OAuth 2.0 security best current practice recommends). Sessions slide
// (idle timeout) up to an absolute lifetime.
//
// Every request's access token is checked against its session: one lookup
// by primary key, remembered for at most five seconds (revocationTTL).
// Revoking a session in this process takes effect at once; on another
// replica within those five seconds.
//
// Personal API tokens (atlas_pat_...) are for scripts: read or write scope,
// optional expiry, last use recorded (to the minute). They act as their user
// except that they can neither create tokens nor change the password
// (Principal.Authorize). Refresh and API token secrets are 256 random bits
// stored only as SHA-256 hashes.
//
// Feed tokens (atlas_feed_...) are API tokens of the feed scope: they sit in
// feed URLs (feed readers send no headers), so they open the feeds of their
// user's collections (AuthenticateFeed) and nothing else; the JSON API
// refuses them.
//
// Account security events (sessions revoked, refresh-token reuse, password
// changed, API tokens created or revoked) are recorded through the outbox
// in the same transaction as the change, about entity type "user".
package account
