package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
)

func TestDuplicates_CreateWarnsListGroupsAndMergeUnites(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	mine := env.NewCollection(t, u)
	theirs := env.NewCollection(t, other)
	env.AddMember(t, other, theirs.ID, u, collection.RoleViewer)

	post := func(token, cid, url string, tags []string) map[string]any {
		resp := env.Do(t, http.MethodPost, "/api/v1/collections/"+cid+"/items", token, map[string]any{"title": "Post", "source_url": url, "tags": tags})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		var body map[string]any
		resp.JSON(t, &body)
		return body
	}
	first := post(u.Token, mine.ID.String(), "https://blog.example/post", []string{"a"})
	require.NotContains(t, first, "duplicates", "nothing to warn about")
	inTheirs := post(other.Token, theirs.ID.String(), "https://blog.example/post?utm_source=x", nil)
	second := post(u.Token, mine.ID.String(), "https://www.blog.example/post/", []string{"b"})
	dups := second["duplicates"].([]any)
	require.Len(t, dups, 2)
	require.Equal(t, first["id"], dups[0].(map[string]any)["item_id"])
	require.Equal(t, theirs.Name, dups[1].(map[string]any)["collection_name"])
	require.Equal(t, false, dups[1].(map[string]any)["can_edit"])

	resp := env.Do(t, http.MethodGet, "/api/v1/duplicates", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var page struct {
		Items []struct {
			Kind  string `json:"kind"`
			Key   string `json:"key"`
			Items []struct {
				ItemID  string `json:"item_id"`
				Version int64  `json:"version"`
			} `json:"items"`
		} `json:"items"`
	}
	resp.JSON(t, &page)
	require.Len(t, page.Items, 1)
	require.Equal(t, "https://blog.example/post", page.Items[0].Key)
	require.Len(t, page.Items[0].Items, 3)
	resp = env.Do(t, http.MethodGet, "/api/v1/duplicates?kind=fuzzy", u.Token, nil)
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)

	ref := func(m map[string]any) map[string]any { return map[string]any{"id": m["id"], "version": m["version"]} }
	// The copy in the collection u only reads cannot be merged away: 403, nothing changed.
	resp = env.Do(t, http.MethodPost, "/api/v1/duplicates/merge", u.Token, map[string]any{"keep": ref(first), "others": []any{ref(second), ref(inTheirs)}})
	require.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	require.Equal(t, http.StatusOK, env.Do(t, http.MethodGet, "/api/v1/items/"+second["id"].(string), u.Token, nil).Status)

	// A stale version is a conflict.
	stale := ref(second)
	stale["version"] = 7
	resp = env.Do(t, http.MethodPost, "/api/v1/duplicates/merge", u.Token, map[string]any{"keep": ref(first), "others": []any{stale}})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))

	resp = env.Do(t, http.MethodPost, "/api/v1/duplicates/merge", u.Token, map[string]any{"keep": ref(first), "others": []any{ref(second)}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var kept map[string]any
	resp.JSON(t, &kept)
	require.Equal(t, []any{"a", "b"}, kept["tags"])
	require.Equal(t, http.StatusNotFound, env.Do(t, http.MethodGet, "/api/v1/items/"+second["id"].(string), u.Token, nil).Status)
}
