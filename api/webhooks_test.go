package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/webhook"
)

func TestWebhooks_SecretShownOnceAndBadURLsAreProblems(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	path := "/api/v1/collections/" + c.ID.String() + "/webhooks"

	resp := env.Do(t, http.MethodPost, path, owner.Token, map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"ItemCreated"}})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var created struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	resp.JSON(t, &created)
	assert.Regexp(t, `^whsec_`, created.Secret)
	get := env.Do(t, http.MethodGet, "/api/v1/webhooks/"+created.ID, owner.Token, nil)
	require.Equal(t, http.StatusOK, get.Status)
	assert.NotContains(t, string(get.Body), created.Secret, "the secret is shown once")
	assert.NotContains(t, string(get.Body), `"secret"`)

	for _, url := range []string{"https://user:pw@hooks.example.com/a", "http://10.0.0.7/hook", "http://127.0.0.1:9000/"} {
		resp := env.Do(t, http.MethodPost, path, owner.Token, map[string]any{"url": url, "event_types": []string{"ItemCreated"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.Status, url)
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		assert.Contains(t, string(resp.Body), "body.url")
	}
	resp = env.Do(t, http.MethodPost, path, owner.Token, map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"PasswordChanged"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
	assert.Contains(t, string(resp.Body), "body.event_types")
}

func TestWebhooks_OrderedIsSetAtRegistrationAndChangedByPatch(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	owner := env.NewUser(t)
	c := env.NewCollection(t, owner)
	var hook struct {
		ID      string `json:"id"`
		Ordered bool   `json:"ordered"`
	}
	resp := env.Do(t, http.MethodPost, "/api/v1/collections/"+c.ID.String()+"/webhooks", owner.Token,
		map[string]any{"url": "https://hooks.example.com/sync", "event_types": []string{"ItemCreated"}, "ordered": true})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	resp.JSON(t, &hook)
	assert.True(t, hook.Ordered)
	resp = env.Do(t, http.MethodPatch, "/api/v1/webhooks/"+hook.ID, owner.Token, map[string]any{"ordered": false})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &hook)
	assert.False(t, hook.Ordered)
	resp = env.Do(t, http.MethodGet, "/api/v1/webhooks/"+hook.ID, owner.Token, nil)
	resp.JSON(t, &hook)
	assert.False(t, hook.Ordered, "stored")
}

func TestWebhooks_OpenAPIDescribesThePayload(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	doc := env.App.Server.API().OpenAPI()
	hook, ok := doc.Webhooks["event"]
	require.True(t, ok, "the OpenAPI document has a webhooks section")
	require.NotNil(t, hook.Post)
	assert.Contains(t, hook.Post.RequestBody.Content["application/json"].Schema.Ref, "WebhookEvent")
	names := []string{}
	for _, p := range hook.Post.Parameters {
		names = append(names, p.Name)
	}
	assert.ElementsMatch(t, []string{"webhook-id", "webhook-timestamp", "webhook-signature"}, names)
}

func TestWebhooks_EventTypeEnumIsTheCatalogues(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	schemas := env.App.Server.API().OpenAPI().Components.Schemas.Map()
	want := []any{}
	for _, et := range webhook.EventTypes() {
		want = append(want, string(et))
	}
	for _, name := range []string{"Webhook", "WebhookBody"} {
		s, ok := schemas[name]
		require.True(t, ok, name)
		assert.Equal(t, want, s.Properties["event_types"].Items.Enum, "%s.event_types lists webhook.EventTypes()", name)
	}
}
