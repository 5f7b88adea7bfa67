package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/account"
	"github.com/atlasapp/atlas/api/apitest"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/config"
	"github.com/atlasapp/atlas/item"
	"github.com/atlasapp/atlas/jobs"
	"github.com/atlasapp/atlas/publiclink"
	"github.com/atlasapp/atlas/webhook"
)

// Callers of the RBAC matrix.
const (
	owner     = "owner"
	editor    = "editor"
	viewer    = "viewer"
	nonMember = "non-member"
	anonymous = "anonymous"
)

var callers = []string{owner, editor, viewer, nonMember, anonymous}

// fixture is a collection with one member of each role, an outsider, a
// second viewer (a target for member operations) and one item, and a team
// owned by the owner with the editor and the target as members, a viewer
// of the collection.
type fixture struct {
	users        map[string]apitest.User
	extra        apitest.User // registered, not a member: the user add-member adds
	target       apitest.User // a second viewer: the member change-role/remove act on
	collectionID string
	itemID       string
	jobID        string // a REINDEX_ITEM job on the item
	importID     string // an import into the collection
	teamID       string // the team
	invitationID string // a pending invitation to the collection
	linkID       string // a public link of the collection
	webhookID    string // a webhook of the collection
	deliveryID   string // a delivery (a test event) of the webhook
	dupID        string // a second item with the fixture item's (lack of) link: merge-duplicates merges it
	undoToken    string // of a second item the owner deleted in bulk
}

func newFixture(t *testing.T, env *apitest.Env) fixture {
	t.Helper()
	f := fixture{users: map[string]apitest.User{}}
	for _, r := range []string{owner, editor, viewer, nonMember} {
		f.users[r] = env.NewUser(t)
	}
	f.extra, f.target = env.NewUser(t), env.NewUser(t)
	c := env.NewCollection(t, f.users[owner])
	env.AddMember(t, f.users[owner], c.ID, f.users[editor], collection.RoleEditor)
	env.AddMember(t, f.users[owner], c.ID, f.users[viewer], collection.RoleViewer)
	env.AddMember(t, f.users[owner], c.ID, f.target, collection.RoleViewer)
	it := env.NewItem(t, f.users[owner], c.ID, item.CreateParams{Title: "Fixture", Tags: []string{"a"}})
	f.collectionID, f.itemID = c.ID.String(), it.ID.String()
	storeFixtureImages(t, env, it)
	f.dupID = env.NewItem(t, f.users[owner], c.ID, item.CreateParams{Title: "Fixture copy"}).ID.String()
	j, err := env.App.Jobs.Create(context.Background(), f.users[owner].ID, jobs.TypeReindexItem, it.ID)
	require.NoError(t, err)
	f.jobID = strconv.FormatInt(j.ID, 10)
	imp, err := env.App.Items.CreateImport(context.Background(), f.users[owner].ID, c.ID, item.CreateImportParams{File: strings.NewReader(fixtureBookmarks)})
	require.NoError(t, err)
	f.importID = imp.ID.String()
	tm := env.NewTeamOf(t, f.users[owner], f.users[editor], f.target)
	env.ShareWithTeam(t, f.users[owner], c.ID, tm.ID, collection.RoleViewer)
	f.teamID = tm.ID.String()
	inv, err := env.App.Collections.Invite(context.Background(), f.users[owner].ID, c.ID,
		collection.InviteParams{Email: "invitee-" + f.target.ID.String()[:8] + "@example.com", Role: collection.RoleViewer})
	require.NoError(t, err)
	f.invitationID = inv.ID.String()
	l, _, err := env.App.PublicLinks.Create(context.Background(), f.users[owner].ID, c.ID, publiclink.CreateParams{})
	require.NoError(t, err)
	f.linkID = l.ID.String()
	wh, _, err := env.App.Webhooks.Create(context.Background(), f.users[owner].ID, webhook.CreateParams{CollectionID: &c.ID,
		URL: "https://hooks.example.com/atlas", EventTypes: []string{"ItemCreated"}})
	require.NoError(t, err)
	m, err := env.App.Webhooks.SendTest(context.Background(), f.users[owner].ID, wh.ID)
	require.NoError(t, err)
	f.webhookID, f.deliveryID = wh.ID.String(), m.ID.String()
	gone := env.NewItem(t, f.users[owner], c.ID, item.CreateParams{Title: "Deleted"})
	del, err := env.App.Items.DeleteBulk(context.Background(), f.users[owner].ID, []uuid.UUID{gone.ID})
	require.NoError(t, err)
	f.undoToken = del.UndoToken.String()
	return f
}

// storeFixtureImages gives the fixture item a preview image and an icon,
// made from a PNG on a loopback site (the metadata naming them is handed to
// the archive directly, so the item's version stays 1).
func storeFixtureImages(t *testing.T, env *apitest.Env, it item.Item) {
	t.Helper()
	var img bytes.Buffer
	require.NoError(t, png.Encode(&img, image.NewGray(image.Rect(0, 0, 90, 60))))
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(img.Bytes()) }))
	t.Cleanup(site.Close)
	it.Metadata = json.RawMessage(`{"image_url": "` + site.URL + `/og.png", "favicon_url": "` + site.URL + `/icon.png"}`)
	out, err := env.App.Archive.StoreImages(context.Background(), it)
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, "stored", out[1].Outcome, "%+v", out)
}

// emailOn turns email on for the matrix (invitations need it); no worker
// runs, so nothing is sent.
func emailOn(c *config.Config) {
	c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom, c.PublicURL = "127.0.0.1", 25, config.SMTPTLSNone, "atlas@example.com", "http://atlas.test"
}

// rbacCase is one operation of the API and the status each caller gets.
type rbacCase struct {
	method string
	path   string // {c} collection id, {i} item id, {u} target member id, {j} job id, {m} import id, {tm} team id, {v} invitation id, {l} public link id, {w} webhook id, {d} its delivery
	body   func(f fixture) any
	want   map[string]int
}

func statuses(o, e, v, n, a int) map[string]int {
	return map[string]int{owner: o, editor: e, viewer: v, nonMember: n, anonymous: a}
}

// rbacMatrix has one row per authenticated operation of the API; the test
// fails if an operation is missing, so a new endpoint needs a row.
var rbacMatrix = map[string]rbacCase{
	"me": {http.MethodGet, "/api/v1/auth/me", nil, statuses(200, 200, 200, 200, 401)},
	// Account operations act on the caller's own account: every signed-in
	// caller may; {s} is the caller's session, {t} one of their API tokens.
	"update-me": {http.MethodPatch, "/api/v1/auth/me", func(fixture) any { return map[string]any{"display_name": "Renamed"} }, statuses(200, 200, 200, 200, 401)},
	"change-password": {http.MethodPost, "/api/v1/auth/password", func(fixture) any {
		return map[string]any{"current_password": "correct horse battery", "new_password": "another horse battery"}
	}, statuses(204, 204, 204, 204, 401)},
	"logout":                {http.MethodPost, "/api/v1/auth/logout", nil, statuses(204, 204, 204, 204, 401)},
	"list-sessions":         {http.MethodGet, "/api/v1/auth/sessions", nil, statuses(200, 200, 200, 200, 401)},
	"revoke-session":        {http.MethodDelete, "/api/v1/auth/sessions/{s}", nil, statuses(204, 204, 204, 204, 401)},
	"revoke-other-sessions": {http.MethodDelete, "/api/v1/auth/sessions", nil, statuses(204, 204, 204, 204, 401)},
	"create-api-token":      {http.MethodPost, "/api/v1/auth/tokens", func(fixture) any { return map[string]any{"name": "script", "scope": "read"} }, statuses(201, 201, 201, 201, 401)},
	"list-api-tokens":       {http.MethodGet, "/api/v1/auth/tokens", nil, statuses(200, 200, 200, 200, 401)},
	"revoke-api-token":      {http.MethodDelete, "/api/v1/auth/tokens/{t}", nil, statuses(204, 204, 204, 204, 401)},
	// Single sign-on: this server has no providers, so linking one is 404
	// once the caller is authenticated (oidc_test.go links a real one).
	"sso-link":        {http.MethodPost, "/api/v1/auth/oidc/nosuch/link", func(fixture) any { return map[string]any{} }, statuses(404, 404, 404, 404, 401)},
	"list-identities": {http.MethodGet, "/api/v1/auth/identities", nil, statuses(200, 200, 200, 200, 401)},
	// No identity is linked to the fixture's users: 404 once authenticated.
	"sso-unlink":         {http.MethodDelete, "/api/v1/auth/identities/local", nil, statuses(404, 404, 404, 404, 401)},
	"create-collection":  {http.MethodPost, "/api/v1/collections", func(fixture) any { return map[string]any{"name": "New"} }, statuses(201, 201, 201, 201, 401)},
	"list-collections":   {http.MethodGet, "/api/v1/collections", nil, statuses(200, 200, 200, 200, 401)},
	"get-collection":     {http.MethodGet, "/api/v1/collections/{c}", nil, statuses(200, 200, 200, 404, 401)},
	"update-collection":  {http.MethodPatch, "/api/v1/collections/{c}", func(fixture) any { return map[string]any{"name": "Renamed"} }, statuses(200, 403, 403, 404, 401)},
	"delete-collection":  {http.MethodDelete, "/api/v1/collections/{c}", nil, statuses(204, 403, 403, 404, 401)},
	"list-members":       {http.MethodGet, "/api/v1/collections/{c}/members", nil, statuses(200, 200, 200, 404, 401)},
	"add-member":         {http.MethodPost, "/api/v1/collections/{c}/members", func(f fixture) any { return map[string]any{"email": f.extra.Email, "role": "viewer"} }, statuses(201, 403, 403, 404, 401)},
	"change-member-role": {http.MethodPatch, "/api/v1/collections/{c}/members/{u}", func(fixture) any { return map[string]any{"role": "editor"} }, statuses(200, 403, 403, 404, 401)},
	"remove-member":      {http.MethodDelete, "/api/v1/collections/{c}/members/{u}", nil, statuses(204, 403, 403, 404, 401)},
	"create-item":        {http.MethodPost, "/api/v1/collections/{c}/items", func(fixture) any { return map[string]any{"title": "New item"} }, statuses(201, 201, 403, 404, 401)},
	"list-items":         {http.MethodGet, "/api/v1/collections/{c}/items", nil, statuses(200, 200, 200, 404, 401)},
	"list-tags":          {http.MethodGet, "/api/v1/collections/{c}/tags", nil, statuses(200, 200, 200, 404, 401)},
	"get-item":           {http.MethodGet, "/api/v1/items/{i}", nil, statuses(200, 200, 200, 404, 401)},
	"update-item":        {http.MethodPatch, "/api/v1/items/{i}", func(fixture) any { return map[string]any{"title": "Changed"} }, statuses(200, 200, 403, 404, 401)},
	"delete-item":        {http.MethodDelete, "/api/v1/items/{i}", nil, statuses(204, 204, 403, 404, 401)},
	// Archived copies: readers see the (empty) archive of the fixture item;
	// (TestArchiveCopy_ServedSandboxedToReaders serves a real one).
	"get-item-archive":             {http.MethodGet, "/api/v1/items/{i}/archive", nil, statuses(200, 200, 200, 404, 401)},
	"get-item-archive-copy":        {http.MethodGet, "/api/v1/items/{i}/archive/html", nil, statuses(404, 404, 404, 404, 401)},
	"get-collection-archive-usage": {http.MethodGet, "/api/v1/collections/{c}/archive-usage", nil, statuses(200, 200, 200, 404, 401)},
	// The extension's page upload: writers pass authorisation and meet the
	// fixture item's lack of a link (422; capture_test.go stores real ones).
	"upload-item-archive-capture": {http.MethodPut, "/api/v1/items/{i}/archive/capture", func(fixture) any { return apitest.RawBody("<html><body>Page</body></html>") }, statuses(422, 422, 403, 404, 401)},
	"lookup-items-by-url":         {http.MethodGet, "/api/v1/items/by-url?url=https://example.com/", nil, statuses(200, 200, 200, 200, 401)},
	// Thumbnails of the fixture item (storeFixtureImages): its readers see them
	"get-item-preview":      {http.MethodGet, "/api/v1/items/{i}/preview", nil, statuses(200, 200, 200, 404, 401)},
	"get-item-icon":         {http.MethodGet, "/api/v1/items/{i}/icon", nil, statuses(200, 200, 200, 404, 401)},
	"create-job":            {http.MethodPost, "/api/v1/jobs", func(f fixture) any { return map[string]any{"type": "REINDEX_ITEM", "item_id": f.itemID} }, statuses(202, 202, 403, 404, 401)},
	"get-job":               {http.MethodGet, "/api/v1/jobs/{j}", nil, statuses(200, 200, 200, 404, 401)},
	"list-item-link-checks": {http.MethodGet, "/api/v1/items/{i}/link-checks", nil, statuses(200, 200, 200, 404, 401)},
	// Bulk: the fixture's collection is also the move/copy target, so a
	// viewer is refused on the target and a non-member does not find it.
	"bulk-tag-items": {http.MethodPost, "/api/v1/items/bulk/tags", func(f fixture) any {
		return map[string]any{"item_ids": []string{f.itemID}, "add": []string{"b"}}
	}, statuses(200, 200, 403, 404, 401)},
	"bulk-move-items": {http.MethodPost, "/api/v1/items/bulk/move", func(f fixture) any {
		return map[string]any{"item_ids": []string{f.itemID}, "collection_id": f.collectionID}
	}, statuses(200, 200, 403, 404, 401)},
	"bulk-copy-items": {http.MethodPost, "/api/v1/items/bulk/copy", func(f fixture) any {
		return map[string]any{"item_ids": []string{f.itemID}, "collection_id": f.collectionID}
	}, statuses(200, 200, 403, 404, 401)},
	"bulk-delete-items":  {http.MethodPost, "/api/v1/items/bulk/delete", func(f fixture) any { return map[string]any{"item_ids": []string{f.itemID}} }, statuses(200, 200, 403, 404, 401)},
	"bulk-restore-items": {http.MethodPost, "/api/v1/items/bulk/restore", func(f fixture) any { return map[string]any{"undo_token": f.undoToken} }, statuses(200, 200, 403, 404, 401)},
	"retry-job":          {http.MethodPost, "/api/v1/jobs/{j}/retry", nil, statuses(200, 200, 403, 404, 401)},
	// Jobs: a non-member's list holds none of the collection's jobs (200).
	"list-jobs": {http.MethodGet, "/api/v1/jobs?item_id={i}", nil, statuses(200, 200, 200, 200, 401)},
	// Audit: a non-member's collection filter matches nothing (200, empty list).
	"list-audit-events": {http.MethodGet, "/api/v1/audit?collection_id={c}", nil, statuses(200, 200, 200, 200, 401)},
	// Search: membership is read from Postgres on every query; a collection
	// filter the caller cannot read is 404 like elsewhere.
	"search-items": {http.MethodGet, "/api/v1/search/items?collection_id={c}&q=fixture", nil, statuses(200, 200, 200, 404, 401)},
	// Imports: the body is a bookmark file (sent raw: apitest.RawBody).
	"create-import": {http.MethodPost, "/api/v1/collections/{c}/imports", func(fixture) any { return apitest.RawBody(fixtureBookmarks) }, statuses(202, 202, 403, 404, 401)},
	"list-imports":  {http.MethodGet, "/api/v1/collections/{c}/imports", nil, statuses(200, 200, 200, 404, 401)},
	"get-import":    {http.MethodGet, "/api/v1/imports/{m}", nil, statuses(200, 200, 200, 404, 401)},
	// Duplicates: library-wide over what the caller can read (a non-member's view is empty).
	"list-duplicates": {http.MethodGet, "/api/v1/duplicates", nil, statuses(200, 200, 200, 200, 401)},
	// Merge: only for editors of every item involved (the fixture item and a copy beside it).
	"merge-duplicates": {http.MethodPost, "/api/v1/duplicates/merge", func(f fixture) any {
		return map[string]any{"keep": map[string]any{"id": f.itemID, "version": 1}, "others": []any{map[string]any{"id": f.dupID, "version": 1}}}
	}, statuses(200, 200, 403, 404, 401)},
	// Before saving: where is this link saved already (over what the caller can read; nothing for a non-member).
	"check-duplicates": {http.MethodGet, "/api/v1/duplicates/check?url=https%3A%2F%2Fexample.com%2F", nil, statuses(200, 200, 200, 200, 401)},
	// A moved link's new address: editors of the item; the fixture item has no
	// link, so those allowed get 409 (links_moved_test.go adopts a moved one).
	"use-moved-url":     {http.MethodPost, "/api/v1/items/{i}/use-moved-url", func(fixture) any { return map[string]any{"version": 1} }, statuses(409, 409, 403, 404, 401)},
	"export-collection": {http.MethodGet, "/api/v1/collections/{c}/export?format=json", nil, statuses(200, 200, 200, 404, 401)},
	// Teams: here the callers' roles are in the team {tm}: the owner owns
	// it, the editor is a member, the viewer and the non-member are not in
	// it (a team is as unknown to them as a collection: 404).
	"list-teams":              {http.MethodGet, "/api/v1/teams", nil, statuses(200, 200, 200, 200, 401)},
	"create-team":             {http.MethodPost, "/api/v1/teams", func(fixture) any { return map[string]any{"name": "New team"} }, statuses(201, 201, 201, 201, 401)},
	"get-team":                {http.MethodGet, "/api/v1/teams/{tm}", nil, statuses(200, 200, 404, 404, 401)},
	"update-team":             {http.MethodPatch, "/api/v1/teams/{tm}", func(fixture) any { return map[string]any{"name": "Renamed"} }, statuses(200, 403, 404, 404, 401)},
	"delete-team":             {http.MethodDelete, "/api/v1/teams/{tm}", nil, statuses(204, 403, 404, 404, 401)},
	"list-team-members":       {http.MethodGet, "/api/v1/teams/{tm}/members", nil, statuses(200, 200, 404, 404, 401)},
	"add-team-member":         {http.MethodPost, "/api/v1/teams/{tm}/members", func(f fixture) any { return map[string]any{"email": f.extra.Email, "role": "member"} }, statuses(201, 403, 404, 404, 401)},
	"change-team-member-role": {http.MethodPatch, "/api/v1/teams/{tm}/members/{u}", func(fixture) any { return map[string]any{"role": "owner"} }, statuses(200, 403, 404, 404, 401)},
	"remove-team-member":      {http.MethodDelete, "/api/v1/teams/{tm}/members/{u}", nil, statuses(204, 403, 404, 404, 401)},
	// The team's membership of the collection: the callers' roles are in
	// the collection again (only its owners manage its members).
	"change-team-membership-role": {http.MethodPatch, "/api/v1/collections/{c}/members/teams/{tm}", func(fixture) any { return map[string]any{"role": "editor"} }, statuses(200, 403, 403, 404, 401)},
	"remove-team-membership":      {http.MethodDelete, "/api/v1/collections/{c}/members/teams/{tm}", nil, statuses(204, 403, 403, 404, 401)},

	// Invitations: owners manage them; accepting needs a valid link's token
	// (a made-up one is 422 for every signed-in caller).
	"list-invitations": {http.MethodGet, "/api/v1/collections/{c}/invitations", nil, statuses(200, 403, 403, 404, 401)},
	"create-invitation": {http.MethodPost, "/api/v1/collections/{c}/invitations", func(f fixture) any {
		return map[string]any{"email": "new-" + f.extra.ID.String()[:8] + "@example.com", "role": "editor"}
	}, statuses(201, 403, 403, 404, 401)},
	"revoke-invitation": {http.MethodDelete, "/api/v1/collections/{c}/invitations/{v}", nil, statuses(204, 403, 403, 404, 401)},
	// Email settings act on the caller's own account (the fixture's users
	// are unverified, so a new link may be sent).
	"get-email-settings":      {http.MethodGet, "/api/v1/auth/email", nil, statuses(200, 200, 200, 200, 401)},
	"update-email-settings":   {http.MethodPatch, "/api/v1/auth/email", func(fixture) any { return map[string]any{"security_notices": false} }, statuses(200, 200, 200, 200, 401)},
	"send-email-verification": {http.MethodPost, "/api/v1/auth/email/verification", nil, statuses(202, 202, 202, 202, 401)},
	"accept-invitation":       {http.MethodPost, "/api/v1/invitations/accept", func(fixture) any { return map[string]any{"token": "made-up"} }, statuses(422, 422, 422, 422, 401)},
	// Public links: owners publish and revoke; every member sees the list.
	"create-public-link": {http.MethodPost, "/api/v1/collections/{c}/public-links", func(fixture) any { return map[string]any{} }, statuses(201, 403, 403, 404, 401)},
	"list-public-links":  {http.MethodGet, "/api/v1/collections/{c}/public-links", nil, statuses(200, 200, 200, 404, 401)},
	"revoke-public-link": {http.MethodDelete, "/api/v1/collections/{c}/public-links/{l}", nil, statuses(204, 403, 403, 404, 401)},
	// Webhooks: a collection's owners manage them; every-collection
	// webhooks are for administrators (none in this fixture: 403).
	"create-collection-webhook": {http.MethodPost, "/api/v1/collections/{c}/webhooks", func(fixture) any {
		return map[string]any{"url": "https://hooks.example.com/new", "event_types": []string{"ItemCreated"}}
	}, statuses(201, 403, 403, 404, 401)},
	"list-collection-webhooks": {http.MethodGet, "/api/v1/collections/{c}/webhooks", nil, statuses(200, 403, 403, 404, 401)},
	"create-webhook": {http.MethodPost, "/api/v1/webhooks", func(fixture) any {
		return map[string]any{"url": "https://hooks.example.com/all", "event_types": []string{"ItemCreated"}}
	}, statuses(403, 403, 403, 403, 401)},
	"list-webhooks":               {http.MethodGet, "/api/v1/webhooks", nil, statuses(403, 403, 403, 403, 401)},
	"get-webhook":                 {http.MethodGet, "/api/v1/webhooks/{w}", nil, statuses(200, 403, 403, 404, 401)},
	"update-webhook":              {http.MethodPatch, "/api/v1/webhooks/{w}", func(fixture) any { return map[string]any{"enabled": false} }, statuses(200, 403, 403, 404, 401)},
	"delete-webhook":              {http.MethodDelete, "/api/v1/webhooks/{w}", nil, statuses(204, 403, 403, 404, 401)},
	"rotate-webhook-secret":       {http.MethodPost, "/api/v1/webhooks/{w}/rotate-secret", func(fixture) any { return map[string]any{} }, statuses(200, 403, 403, 404, 401)},
	"list-webhook-deliveries":     {http.MethodGet, "/api/v1/webhooks/{w}/deliveries", nil, statuses(200, 403, 403, 404, 401)},
	"send-webhook-delivery-again": {http.MethodPost, "/api/v1/webhooks/{w}/deliveries/{d}/send-again", nil, statuses(202, 403, 403, 404, 401)},
	"send-webhook-test":           {http.MethodPost, "/api/v1/webhooks/{w}/test", nil, statuses(202, 403, 403, 404, 401)},
}

// fixtureBookmarks is a one-bookmark Netscape file.
const fixtureBookmarks = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><A HREF=\"https://example.com/\">Example</A></DL>\n"

// publicOperations need no token and are tested on their own (refresh
// authenticates with the session cookie; the public reads with a public
// link's secret: public_test.go).
var publicOperations = map[string]bool{"register": true, "login": true, "refresh": true,
	"auth-methods": true, "sso-start": true, "sso-callback": true,
	"request-password-reset": true, "confirm-password-reset": true, "verify-email": true,
	"get-public-collection": true, "list-public-items": true, "list-public-tags": true, "search-public-items": true}

func TestRBACMatrix_CoversEveryOperation(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	seen := 0
	for path, pi := range env.App.Server.API().OpenAPI().Paths {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for _, op := range []*huma.Operation{pi.Get, pi.Put, pi.Post, pi.Delete, pi.Patch, pi.Head, pi.Options, pi.Trace} {
			if op == nil {
				continue
			}
			seen++
			if publicOperations[op.OperationID] {
				require.Empty(t, op.Security, "public operation %s declares security", op.OperationID)
				continue
			}
			_, ok := rbacMatrix[op.OperationID]
			require.True(t, ok, "operation %s (%s %s) has no row in rbacMatrix", op.OperationID, op.Method, path)
			require.NotEmpty(t, op.Security, "operation %s must require the bearer scheme", op.OperationID)
		}
	}
	require.Equal(t, len(rbacMatrix)+len(publicOperations), seen, "rbacMatrix has rows for operations that no longer exist")
}

// path fills in a row's path for a caller (self) with one of their API tokens.
func (f fixture) path(p string, self apitest.User, tokenID string) string {
	return strings.NewReplacer("{c}", f.collectionID, "{i}", f.itemID, "{u}", f.target.ID.String(), "{j}", f.jobID,
		"{s}", self.SessionID.String(), "{t}", tokenID, "{m}", f.importID, "{tm}", f.teamID, "{v}", f.invitationID, "{l}", f.linkID,
		"{w}", f.webhookID, "{d}", f.deliveryID).Replace(p)
}

func TestRBACMatrix(t *testing.T) {
	t.Parallel()
	for name, tc := range rbacMatrix {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, apitest.Opts{Configure: emailOn})
			for _, who := range callers {
				t.Run(who, func(t *testing.T) {
					f := newFixture(t, env) // fresh per caller: some operations destroy it
					self := f.users[owner]  // an anonymous caller aims at the owner's account
					if who != anonymous {
						self = f.users[who]
					}
					tokenID := ""
					if strings.Contains(tc.path, "{t}") {
						tok, _, err := env.App.Accounts.CreateToken(context.Background(), account.Principal{UserID: self.ID, SessionID: self.SessionID},
							account.CreateTokenParams{Name: "fixture", Scope: account.ScopeRead})
						require.NoError(t, err)
						tokenID = tok.ID.String()
					}
					path := f.path(tc.path, self, tokenID)
					var body any
					if tc.body != nil {
						body = tc.body(f)
					}
					token := ""
					if who != anonymous {
						token = f.users[who].Token
					}
					resp := env.Do(t, tc.method, path, token, body)
					require.Equal(t, tc.want[who], resp.Status, "%s %s as %s: %s", tc.method, path, who, resp.Body)
					if resp.Status >= 400 {
						require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
					}
				})
			}
		})
	}
}
