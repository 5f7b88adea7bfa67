// Package mail sends Atlas' email: invitations, password reset links and
// other account mail, through SMTP (github.com/wneessen/go-mail), always
// from a River job and never from the request that causes it.
//
// A request that wants an email sent inserts a SEND_EMAIL job (Args, River
// kind send_email) in its own transaction, through a Queue. The job carries
// no secret: which template, for whom, and a reference (a user, an
// invitation). When it runs, the Worker asks the template's PrepareFunc, in
// the domain package that owns it, for the recipient and the template's
// data; that is when a single-use link's token is made and its hash stored,
// so the token itself exists only in the email, never in river_job. The
// worker renders the template in plain text (text/template) and HTML
// (html/template, which escapes what it inserts), and hands the message to
// the Sender.
//
// A send that fails (the SMTP server down, a temporary refusal) is retried
// with exponential backoff up to MaxAttempts, then discarded; the request
// that enqueued it has long answered. Each attempt prepares afresh, so a
// retried link email carries a new token and only the newest link works.
// A PrepareFunc that finds nothing to send (the address has no account)
// returns ErrSkip, and the job completes without sending.
//
// Header values are never built by hand: display names and subjects have
// their control characters (CR, LF) replaced before go-mail encodes them, so
// a display name cannot add a header or a recipient.
package mail
