package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// ErrInvalidParams reports search parameters that cannot be turned into a query.
var ErrInvalidParams = errors.New("invalid search parameters")

// ErrNoIndex reports that the alias does not exist yet; Index.EnsureIndex creates it.
var ErrNoIndex = errors.New("search index alias does not exist")

// ResponseError is an error answer from Elasticsearch.
type ResponseError struct {
	// Status is the HTTP status code.
	Status int
	// Type is Elasticsearch's error type, such as "index_not_found_exception".
	Type string
	// Reason is Elasticsearch's human-readable explanation.
	Reason string
}

// Error implements error.
func (e *ResponseError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("elasticsearch: status %d: %s", e.Status, e.Reason)
	}
	return fmt.Sprintf("elasticsearch: status %d: %s: %s", e.Status, e.Type, e.Reason)
}

// BulkItemError is one failed action of a bulk request.
type BulkItemError struct {
	// Index is the index the action targeted.
	Index string
	// ID is the document id.
	ID string
	// Status is the action's HTTP status.
	Status int
	// Type is Elasticsearch's error type.
	Type string
	// Reason is Elasticsearch's explanation.
	Reason string
}

// BulkError lists the actions of a bulk request that failed for reasons other than a version
// conflict (which means a newer state is already indexed and counts as success).
type BulkError struct {
	// Items are the failed actions, in request order.
	Items []BulkItemError
}

// Error implements error.
func (e *BulkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bulk: %d item(s) failed", len(e.Items))
	for i, it := range e.Items {
		if i == 3 {
			fmt.Fprintf(&b, "; ...")
			break
		}
		fmt.Fprintf(&b, "; %s/%s: %d %s: %s", it.Index, it.ID, it.Status, it.Type, it.Reason)
	}
	return b.String()
}

// errorBody is the JSON shape of an Elasticsearch error answer.
type errorBody struct {
	Error  json.RawMessage `json:"error"`
	Status int             `json:"status"`
}

type errorCause struct {
	Type     string `json:"type"`
	Reason   string `json:"reason"`
	CausedBy *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"caused_by"`
}

// responseError reads an error answer into a *ResponseError.
func responseError(res *esapi.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	out := &ResponseError{Status: res.StatusCode}
	var body errorBody
	if err := json.Unmarshal(raw, &body); err != nil || len(body.Error) == 0 {
		out.Reason = strings.TrimSpace(string(raw))
		return out
	}
	var cause errorCause
	if err := json.Unmarshal(body.Error, &cause); err != nil {
		// Some answers carry the error as a plain string.
		var s string
		_ = json.Unmarshal(body.Error, &s)
		out.Reason = s
		return out
	}
	out.Type, out.Reason = cause.Type, cause.Reason
	if cause.CausedBy != nil && cause.CausedBy.Reason != "" {
		out.Reason += " (caused by " + cause.CausedBy.Type + ": " + cause.CausedBy.Reason + ")"
	}
	return out
}

// isErrorType reports whether err is a *ResponseError of one of the given types.
func isErrorType(err error, types ...string) bool {
	var re *ResponseError
	if !errors.As(err, &re) {
		return false
	}
	for _, t := range types {
		if re.Type == t {
			return true
		}
	}
	return false
}
