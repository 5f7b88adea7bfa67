package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/item"
)

func TestLinks_ListFilterAndHistoryDecode(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.NewUser(t)
	c := env.NewCollection(t, u)
	it := env.NewItem(t, u, c.ID, item.CreateParams{Title: "Unchecked", SourceURL: "https://example.com/a"})
	base := "/api/v1/collections/" + c.ID.String() + "/items"

	var got struct {
		Items []struct {
			ID   string `json:"id"`
			Link struct {
				Status string `json:"status"`
			} `json:"link"`
		} `json:"items"`
	}
	resp := env.Do(t, http.MethodGet, base+"?link_status=unknown", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &got)
	require.Len(t, got.Items, 1)
	require.Equal(t, "unknown", got.Items[0].Link.Status, "not checked yet")

	resp = env.Do(t, http.MethodGet, base+"?link_status=dead&link_status=moved", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp.JSON(t, &got)
	require.Empty(t, got.Items)

	resp = env.Do(t, http.MethodGet, base+"?link_status=broken", u.Token, nil)
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)

	resp = env.Do(t, http.MethodGet, "/api/v1/items/"+it.ID.String()+"/link-checks", u.Token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var history struct {
		Items []any `json:"items"`
	}
	resp.JSON(t, &history)
	require.NotNil(t, history.Items, "an empty list, not null")
	require.Empty(t, history.Items)
}
