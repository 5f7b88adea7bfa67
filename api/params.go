package api

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Optional is a query parameter that may be absent: Huma parses and
// validates its value as a T (a uuid.UUID, say, with the format tag
// documenting it) and Set says whether the request sent one, so no value of
// T has to stand for "absent".
type Optional[T any] struct {
	Value T
	Set   bool
}

// Receiver is where Huma parses the parameter (huma.ParamWrapper).
func (o *Optional[T]) Receiver() reflect.Value { return reflect.ValueOf(o).Elem().Field(0) }

// OnParamSet records whether the request sent the parameter (huma.ParamReactor).
func (o *Optional[T]) OnParamSet(isSet bool, _ any) { o.Set = isSet }

// Schema documents the parameter as a T (huma.SchemaProvider).
func (o *Optional[T]) Schema(r huma.Registry) *huma.Schema {
	return huma.SchemaFromType(r, reflect.TypeFor[T]())
}

// Ptr is the value, or nil when the request sent none.
func (o Optional[T]) Ptr() *T {
	if !o.Set {
		return nil
	}
	v := o.Value
	return &v
}

// paramLocations are where a request's parameters travel, as Huma names
// them in an error's location ("query.item_id").
var paramLocations = []string{"path.", "query.", "header.", "cookie."}

// badParamStatus makes a request whose parameters do not parse or validate
// (a malformed UUID, time, number or enum value in its path or query) a 400
// Bad Request, whatever its body: Huma answers every validation failure 422,
// which Atlas keeps for bodies and domain rules. Huma's error constructor
// is package-wide; installed once (init), before any request is served.
func badParamStatus(next func(huma.Context, int, string, ...error) huma.StatusError) func(huma.Context, int, string, ...error) huma.StatusError {
	return func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		err := next(ctx, status, msg, errs...)
		m, ok := err.(*huma.ErrorModel)
		if !ok || m.Status != http.StatusUnprocessableEntity {
			return err
		}
		for _, d := range m.Errors {
			for _, loc := range paramLocations {
				if d != nil && strings.HasPrefix(d.Location, loc) {
					m.Status, m.Title = http.StatusBadRequest, http.StatusText(http.StatusBadRequest)
					return m
				}
			}
		}
		return m
	}
}

func init() { huma.NewErrorWithContext = badParamStatus(huma.NewErrorWithContext) }

// documentParamErrors documents the 400 of every operation that takes path
// or query parameters (see badParamStatus).
func documentParamErrors(oapi *huma.OpenAPI) {
	eachOperation(oapi, func(_ string, op *huma.Operation) {
		for _, p := range op.Parameters {
			if p.In == "path" || p.In == "query" {
				addResponse(op, http.StatusBadRequest, problemResponse(
					"Bad Request: a path or query parameter is malformed (errors[].location names it), or the request cannot be read."))
				return
			}
		}
	})
}
