package api_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
)

// multipartFile is a form with the file in field.
func multipartFile(t *testing.T, field, content string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("note", "ignored"))
	fw, err := w.CreateFormFile(field, "bookmarks.html")
	require.NoError(t, err)
	_, err = io.WriteString(fw, content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return w.FormDataContentType(), buf.Bytes()
}

// post sends a body as it is.
func post(t *testing.T, env *apitest.Env, path, token, contentType string, body io.Reader, length int64) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+path, body)
	require.NoError(t, err)
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := env.Client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestCreateImport_MultipartUploadAnswers202WithLocation(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	ct, body := multipartFile(t, "file", `<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="https://a.example/">A</A></DL>`)
	resp := post(t, env, "/api/v1/collections/"+c.ID.String()+"/imports?on_duplicate=update", owner.Token, ct, bytes.NewReader(body), int64(len(body)))
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(b))
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/api/v1/imports/"), loc)

	got := env.Do(t, http.MethodGet, loc, owner.Token, nil)
	require.Equal(t, http.StatusOK, got.Status)
	m := got.Map(t)
	assert.Equal(t, "QUEUED", m["status"])
	assert.Equal(t, "netscape", m["format"])
	assert.Equal(t, "update", m["on_duplicate"])
	assert.Equal(t, []any{}, m["errors"])
	for _, k := range []string{"id", "collection_id", "total", "created", "updated", "skipped", "failed", "created_at", "started_at", "finished_at"} {
		assert.Contains(t, m, k)
	}
	list := env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/imports", owner.Token, nil)
	require.Equal(t, http.StatusOK, list.Status)
	assert.Len(t, list.Map(t)["items"], 1)
}

func TestCreateImport_BadUploadsAreProblems(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.ImportMaxBytes = 2048 }})
	owner := env.NewUser(t)
	path := "/api/v1/collections/" + env.NewCollection(t, owner).ID.String() + "/imports"
	big := "<DL>" + strings.Repeat("<DT><A HREF=\"https://x.example/\">x</A>\n", 200)

	ct, body := multipartFile(t, "other", "<DL>")
	resp := post(t, env, path, owner.Token, ct, bytes.NewReader(body), int64(len(body)))
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "no file field")
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))

	resp = post(t, env, path, owner.Token, "text/csv", strings.NewReader("a,b\n"), 4)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "unknown format")

	resp = post(t, env, path+"?on_duplicate=merge", owner.Token, "text/html", strings.NewReader("<DL>"), 4)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a malformed query parameter")

	resp = post(t, env, path, owner.Token, "text/html", strings.NewReader(big), int64(len(big)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "over the cap, declared length")
	resp = post(t, env, path, owner.Token, "text/html", strings.NewReader(big), -1)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "over the cap, chunked")
	ct, body = multipartFile(t, "file", big)
	resp = post(t, env, path, owner.Token, ct, bytes.NewReader(body), -1)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "over the cap, multipart")
	var n int
	require.NoError(t, env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM imports`).Scan(&n))
	assert.Zero(t, n, "nothing kept of refused uploads")
}

func TestCreateImport_LargerThanTheGeneralBodyCapIsAccepted(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Opts{Configure: func(c *config.Config) { c.MaxBodyBytes = 2048 }})
	owner := env.NewUser(t)
	path := "/api/v1/collections/" + env.NewCollection(t, owner).ID.String() + "/imports"
	big := "<DL>" + strings.Repeat("<DT><A HREF=\"https://x.example/\">x</A>\n", 2000)
	resp := post(t, env, path, owner.Token, "text/html", strings.NewReader(big), -1)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	other := env.Do(t, http.MethodPost, "/api/v1/collections", owner.Token, map[string]any{"name": strings.Repeat("x", 3000)})
	assert.Equal(t, http.StatusRequestEntityTooLarge, other.Status, "other routes keep the general cap")
}

func TestExport_StreamsAnAttachment(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	env.NewItem(t, owner, c.ID, item.CreateParams{Title: "Go", SourceURL: "https://go.dev/", Tags: []string{"lang"}})
	resp := env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/export", owner.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Regexp(t, `^attachment; filename=atlas-collection-[a-z0-9-]+\.html$`, resp.Header.Get("Content-Disposition"))
	assert.Contains(t, string(resp.Body), `<A HREF="https://go.dev/"`)

	resp = env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/export?format=json", owner.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "atlas-export", resp.Map(t)["format"])

	resp = env.Do(t, http.MethodGet, "/api/v1/collections/"+c.ID.String()+"/export?format=csv", owner.Token, nil)
	assert.Equal(t, http.StatusBadRequest, resp.Status, "a malformed query parameter")
}
