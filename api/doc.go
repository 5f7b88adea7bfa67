// Package api is Atlas' HTTP edge: Huma operations under /api/v1 that
// decode a request, call one domain service method and encode the result.
// It also owns request correlation (request and trace ids), bearer-token
// authentication, the access log line, and the single table that maps
// domain errors to RFC 9457 problem responses. No access rule is decided
// here: the domain services decide, the handlers only translate.
package api
