package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/item"
)

func TestUseMovedURL_AdoptsTheNewAddressOnlyAtTheVersionRead(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u, viewer := env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, u)
	env.AddMember(t, u, c.ID, viewer, collection.RoleViewer)
	it := env.NewItem(t, u, c.ID, item.CreateParams{Title: "Moved", SourceURL: "https://old.example/post"})
	env.ConfirmLink(t, it, item.LinkObservation{Status: item.LinkMoved, HTTPStatus: http.StatusOK, MovedTo: "https://new.example/post"})
	path := "/api/v1/items/" + it.ID.String()

	var read struct {
		Version int64 `json:"version"`
		Link    struct {
			Status  string  `json:"status"`
			MovedTo *string `json:"moved_to"`
		} `json:"link"`
	}
	env.Do(t, http.MethodGet, path, u.Token, nil).JSON(t, &read)
	require.Equal(t, "moved", read.Link.Status)
	require.NotNil(t, read.Link.MovedTo)

	resp := env.Do(t, http.MethodPost, path+"/use-moved-url", viewer.Token, map[string]any{"version": read.Version})
	require.Equal(t, http.StatusForbidden, resp.Status, "%s", resp.Body)
	resp = env.Do(t, http.MethodPost, path+"/use-moved-url", u.Token, map[string]any{"version": read.Version + 1})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))

	resp = env.Do(t, http.MethodPost, path+"/use-moved-url", u.Token, map[string]any{"version": read.Version})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var got struct {
		SourceURL string `json:"source_url"`
		Version   int64  `json:"version"`
		Link      struct {
			Status string `json:"status"`
		} `json:"link"`
	}
	resp.JSON(t, &got)
	require.Equal(t, "https://new.example/post", got.SourceURL)
	require.Equal(t, read.Version+1, got.Version)
	require.Equal(t, "unknown", got.Link.Status)
}

func TestCheckDuplicates_ReportsWhereALinkIsSavedWithoutSavingIt(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u, other := env.NewUser(t), env.NewUser(t)
	mine, theirs := env.NewCollection(t, u), env.NewCollection(t, other)
	env.AddMember(t, other, theirs.ID, u, collection.RoleViewer)
	first := env.NewItem(t, u, mine.ID, item.CreateParams{SourceURL: "https://blog.example/post"})
	env.NewItem(t, other, theirs.ID, item.CreateParams{SourceURL: "https://blog.example/post?utm_source=x"})
	check := func(token, link string) (int, []map[string]any) {
		resp := env.Do(t, http.MethodGet, "/api/v1/duplicates/check?url="+url.QueryEscape(link), token, nil)
		var body struct {
			Items []map[string]any `json:"items"`
		}
		if resp.Status == http.StatusOK {
			resp.JSON(t, &body)
		}
		return resp.Status, body.Items
	}

	status, items := check(u.Token, "https://www.blog.example/post/#top")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, items, 2)
	require.Equal(t, first.ID.String(), items[0]["item_id"])
	require.Equal(t, mine.Name, items[0]["collection_name"])
	require.Equal(t, theirs.Name, items[1]["collection_name"])
	require.Equal(t, false, items[1]["can_edit"])

	status, items = check(env.NewUser(t).Token, "https://blog.example/post")
	require.Equal(t, http.StatusOK, status)
	require.NotNil(t, items, "an empty list, not null")
	require.Empty(t, items, "a stranger learns nothing")

	resp := env.Do(t, http.MethodGet, "/api/v1/duplicates/check?url=javascript%3Aalert(1)", u.Token, nil)
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "query.url")
	// A missing query parameter is a malformed request (400), as on every route.
	resp = env.Do(t, http.MethodGet, "/api/v1/duplicates/check", u.Token, nil)
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "query.url")
}
