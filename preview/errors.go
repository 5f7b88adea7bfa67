package preview

import "fmt"

// Code classifies why an image was refused.
type Code string

// The failure codes.
const (
	// CodeBlocked: the guard refused the image's URL or address.
	CodeBlocked Code = "blocked"
	// CodeUnavailable: the image could not be fetched (an error status, a
	// redirect loop, a network error).
	CodeUnavailable Code = "unavailable"
	// CodeTooLarge: the image file is over MaxBytes.
	CodeTooLarge Code = "too_large"
	// CodeTooManyPixels: the header declares more pixels than MaxPixels
	// (or a side over MaxSide): refused before decoding.
	CodeTooManyPixels Code = "too_many_pixels"
	// CodeNotImage: the bytes are not an image format Atlas decodes.
	CodeNotImage Code = "not_image"
	// CodeUndecodable: the bytes start like an image but do not decode.
	CodeUndecodable Code = "undecodable"
)

// Failure is why an image was not made, in words for the item's reader.
type Failure struct {
	Code   Code
	Reason string
	// Transient marks failures a later attempt may not meet (network
	// errors, 5xx, 429); the job retries those.
	Transient bool
	err       error
}

// Error implements error.
func (f *Failure) Error() string {
	if f.err != nil {
		return "preview: " + f.Reason + ": " + f.err.Error()
	}
	return "preview: " + f.Reason
}

// Unwrap returns the underlying error, if any.
func (f *Failure) Unwrap() error { return f.err }

func fail(code Code, err error, format string, args ...any) *Failure {
	return &Failure{Code: code, Reason: fmt.Sprintf(format, args...), err: err}
}
