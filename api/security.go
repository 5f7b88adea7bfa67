package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/cors"

	"github.com/atlasapp/atlas/item"
)

// DefaultMaxBodyBytes caps request bodies when EdgeParams leaves it zero.
const DefaultMaxBodyBytes = 1 << 20

// EdgeParams are the protections every request passes through before any
// route: security headers, CORS, a body size cap and rate limits.
type EdgeParams struct {
	RateLimit RateLimitParams
	// CORSOrigins may call the API from a browser on another origin
	// (scheme://host[:port]); empty sends no CORS headers at all, so
	// browsers allow same-origin use only.
	CORSOrigins []string
	// MaxBodyBytes caps every request body; zero means
	// DefaultMaxBodyBytes. Operations may set lower caps.
	MaxBodyBytes int64
	// ImportMaxBytes caps the file of an import upload, the one route
	// exempt from MaxBodyBytes (item.DefaultImportMaxBytes when zero).
	ImportMaxBytes int64
	// HSTS sends Strict-Transport-Security (production, served over TLS).
	HSTS bool
	// SecureCookies marks the session cookie Secure (production, served
	// over TLS): browsers then send it over HTTPS only.
	SecureCookies bool
}

// Content security policies. The dashboard's and the API's allow only this
// origin's scripts, styles, images (and data: icons) and API calls, and no
// framing. River UI's React app sets inline styles, so its policy allows
// them. /docs keeps the policy Huma sets for its page: the pinned Stoplight
// Elements script and stylesheet from unpkg.com (with subresource
// integrity), in a sandbox, calling only this origin.
const (
	cspDefault = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	cspRiverUI = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	// hstsValue: two years, subdomains included (no preload: that is a
	// decision for the domain's owner).
	hstsValue = "max-age=63072000; includeSubDomains"
)

// edge returns the middleware chain of p, outermost first.
func (s *Server) edge(p EdgeParams) []func(http.Handler) http.Handler {
	chain := []func(http.Handler) http.Handler{securityHeaders(p.HSTS)}
	if len(p.CORSOrigins) > 0 {
		chain = append(chain, cors.Handler(cors.Options{
			AllowedOrigins:   p.CORSOrigins,
			AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowedHeaders:   []string{"Authorization", "Content-Type", "X-Request-ID", "traceparent"},
			ExposedHeaders:   []string{"X-Request-ID", "X-Trace-ID", "Retry-After", "Location", "ETag"},
			AllowCredentials: true, // the session cookie of POST /auth/refresh
			MaxAge:           600,
		}))
	}
	limit := p.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	importLimit := p.ImportMaxBytes
	if importLimit <= 0 {
		importLimit = item.DefaultImportMaxBytes
	}
	captureLimit := limit
	if s.archive != nil {
		captureLimit = s.archive.MaxUploadBytes()
	}
	chain = append(chain, limitBody(limit, importLimit+importFormSlack, captureLimit), clientIP(p.RateLimit.TrustedProxies), noteClientIP) // sessions record the client's IP; the access log too
	if p.RateLimit.Enabled {
		chain = append(chain, s.rateLimit(p.RateLimit))
	}
	return chain
}

// securityHeaders sets the headers every response carries. Handlers may
// replace the Content-Security-Policy with a stricter or page-specific one
// (Huma's /docs page and the dashboard's index.html do).
func securityHeaders(hsts bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if r.URL.Path == RiverUIPrefix || strings.HasPrefix(r.URL.Path, RiverUIPrefix+"/") {
				h.Set("Content-Security-Policy", cspRiverUI)
			} else {
				h.Set("Content-Security-Policy", cspDefault)
			}
			if hsts {
				h.Set("Strict-Transport-Security", hstsValue)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody refuses bodies larger than limit with 413 before any handler
// runs: at once when the request declares its length, else (chunked) after
// reading at most limit+1 bytes, which the handler then gets back. An
// import upload may have up to importLimit bytes and is streamed, never
// buffered here; a page the browser extension sends as an archived copy
// may have up to captureLimit bytes.
func limitBody(limit, importLimit, captureLimit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			limit, upload := limit, isImportUpload(r)
			if upload {
				limit = importLimit
			} else if isCaptureUpload(r) {
				limit = captureLimit
			}
			switch {
			case r.ContentLength > limit:
				writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: at most %d bytes", limit))
				return
			case r.Body == nil || r.Body == http.NoBody:
			case r.ContentLength < 0 && !upload:
				b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
				if err != nil {
					writeProblem(w, http.StatusBadRequest, "cannot read request body")
					return
				}
				if int64(len(b)) > limit {
					writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: at most %d bytes", limit))
					return
				}
				r.Body = readCloser{bytes.NewReader(b), r.Body}
			default:
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// documentEdgeResponses adds to the OpenAPI document the answers the edge
// gives before an operation's handler runs: 429 from the rate limits, and
// for operations that take a body, 400 (body missing or unreadable) and 413
// (body over the cap). Call it once every operation is registered.
func documentEdgeResponses(oapi *huma.OpenAPI) {
	documentRateLimits(oapi)
	documentParamErrors(oapi)
	eachOperation(oapi, func(_ string, op *huma.Operation) {
		if op.RequestBody == nil {
			return
		}
		addResponse(op, http.StatusBadRequest, problemResponse("Bad Request: the request body is missing or cannot be read."))
		addResponse(op, http.StatusRequestEntityTooLarge, problemResponse("Content Too Large: the request body exceeds the size limit."))
	})
}

// eachOperation calls fn for every operation of the document.
func eachOperation(oapi *huma.OpenAPI, fn func(path string, op *huma.Operation)) {
	for path, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op != nil {
				fn(path, op)
			}
		}
	}
}

// problemResponse describes a problem+json answer with Huma's error model.
func problemResponse(description string) *huma.Response {
	return &huma.Response{
		Description: description,
		Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}},
		},
	}
}

// addResponse documents status on op unless the operation already does.
func addResponse(op *huma.Operation, status int, resp *huma.Response) {
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	code := strconv.Itoa(status)
	if _, ok := op.Responses[code]; !ok {
		op.Responses[code] = resp
	}
}
