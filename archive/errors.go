package archive

// Code classifies why archiving a page failed.
type Code string

// The failure codes, stored with the reason on the item's archive status.
const (
	// CodeTooLarge: the page, a resource or the copy is over a size limit.
	CodeTooLarge Code = "too_large"
	// CodeTimeout: the capture ran out of its time budget.
	CodeTimeout Code = "timeout"
	// CodeBlocked: the guard refused the page's address or URL.
	CodeBlocked Code = "blocked"
	// CodeNotHTML: the page is not HTML (or says it is and is not).
	CodeNotHTML Code = "not_html"
	// CodeUnavailable: the page could not be fetched (an error status, a
	// redirect loop, a network error).
	CodeUnavailable Code = "unavailable"
)

// Failure is why a capture failed, in words for the item's reader.
type Failure struct {
	Code   Code
	Reason string
	// Transient marks failures a later attempt may not meet (network
	// errors); the job retries those before recording them.
	Transient bool
	err       error
}

// Error implements error.
func (f *Failure) Error() string {
	if f.err != nil {
		return "archive: " + f.Reason + ": " + f.err.Error()
	}
	return "archive: " + f.Reason
}

// Unwrap returns the underlying error, if any.
func (f *Failure) Unwrap() error { return f.err }
