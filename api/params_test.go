package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api"
	"github.com/atlasapp/atlas/api/apitest"
)

// malformed is a value of the wrong shape for a typed parameter, or "" for a
// parameter whose values are not checked by type.
func malformed(s *huma.Schema) string {
	switch {
	case s == nil:
		return ""
	case len(s.Enum) > 0:
		return "no-such-value"
	case s.Format == "uuid":
		return "not-a-uuid"
	case s.Format == "date-time":
		return "yesterday"
	case s.Type == huma.TypeInteger:
		return "x"
	case s.Type == huma.TypeString && s.Pattern != "":
		return "NOT-matching" // e.g. a provider name ([a-z0-9]+)
	}
	return ""
}

// typedParam is one typed parameter of one operation.
type typedParam struct {
	method, path string
	op           *huma.Operation
	param        *huma.Param
}

// wellFormed is a value for path parameter p: bad if p is the parameter
// under test, else a well-formed one.
func wellFormed(p, under *huma.Param, bad string) string {
	switch {
	case p == under:
		return bad
	case p.Schema != nil && p.Schema.Type == huma.TypeInteger:
		return "1"
	}
	return uuid.NewString()
}

// typedParams lists every typed path and query parameter the OpenAPI
// document declares, so a new one is tested without a new row.
func typedParams(t *testing.T) []typedParam {
	t.Helper()
	var out []typedParam
	eachOperation(func(method, path string, op *huma.Operation) {
		for _, p := range op.Parameters {
			if (p.In == "path" || p.In == "query") && malformed(p.Schema) != "" {
				out = append(out, typedParam{method, path, op, p})
			}
		}
	})
	slices.SortFunc(out, func(a, b typedParam) int {
		return strings.Compare(a.method+a.path+a.param.Name, b.method+b.path+b.param.Name)
	})
	return out
}

// TestParams_MalformedTypedParameterIsBadRequest: a UUID, time, enum or
// integer parameter that does not parse answers 400 naming the parameter,
// on every route, before anything else about the request is looked at.
func TestParams_MalformedTypedParameterIsBadRequest(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	params := typedParams(t)
	require.NotEmpty(t, params)
	for _, tp := range params {
		t.Run(tp.method+" "+tp.path+" "+tp.param.In+"."+tp.param.Name, func(t *testing.T) {
			path, bad := tp.path, malformed(tp.param.Schema)
			for _, p := range tp.op.Parameters {
				if p.In == "path" {
					path = strings.Replace(path, "{"+p.Name+"}", wellFormed(p, tp.param, bad), 1)
				}
			}
			if tp.param.In == "query" {
				path += "?" + tp.param.Name + "=" + bad
			}
			var body any
			if tp.method != http.MethodGet && tp.method != http.MethodDelete {
				body = map[string]any{}
			}
			resp := env.Do(t, tp.method, path, u.Token, body)
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s %s: %s", tp.method, path, resp.Body)
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			assert.Contains(t, errorLocations(t, resp), tp.param.In+"."+tp.param.Name, "%s", resp.Body)
		})
	}
}

// secretPathParams are path parameters that carry a secret rather than an
// entity id, deliberately untyped: a public link's token is looked up
// whatever its shape, so a malformed guess gets the same 404 as a wrong one.
var secretPathParams = map[string]bool{"token": true}

// TestParams_EveryIDParameterIsTyped: path parameters naming an entity are
// declared as UUIDs (or, for jobs, integers; for sign-in providers, a
// pattern), so the table above covers them.
func TestParams_EveryIDParameterIsTyped(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, tp := range typedParams(t) {
		covered[tp.method+" "+tp.path+" "+tp.param.Name] = true
	}
	eachOperation(func(method, path string, op *huma.Operation) {
		for _, p := range op.Parameters {
			if p.In == "path" && !(secretPathParams[p.Name] && strings.HasPrefix(path, "/api/v1/public/")) {
				assert.True(t, covered[method+" "+path+" "+p.Name], "%s %s: path parameter %s has no type", method, path, p.Name)
			}
		}
	})
}

// eachOperation calls fn for every operation of the OpenAPI document.
func eachOperation(fn func(method, path string, op *huma.Operation)) {
	for path, it := range api.NewServer(api.Params{}).API().OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: it.Get, http.MethodPost: it.Post,
			http.MethodPut: it.Put, http.MethodPatch: it.Patch, http.MethodDelete: it.Delete} {
			if op != nil {
				fn(method, path, op)
			}
		}
	}
}

// TestJobs_ListMalformedItemIDIsBadRequest: the jobs list answered 422 for
// a malformed item_id where audit and search answered 400.
func TestJobs_ListMalformedItemIDIsBadRequest(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	resp := env.Do(t, http.MethodGet, "/api/v1/jobs?item_id=not-a-uuid", u.Token, nil)
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	assert.Equal(t, []string{"query.item_id"}, errorLocations(t, resp))
}

// errorLocations are the locations of a problem's errors.
func errorLocations(t *testing.T, resp apitest.Response) []string {
	t.Helper()
	var p struct {
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	resp.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}
