package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/webhook"
)

func TestCreate_RefusesBadURLs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	strict := newService(f.env, enrich.Guard{}, false, nil)
	for _, url := range []string{
		"http://user:pass@example.com/hook", // credentials
		"https://token@example.com/hook",
		"ftp://example.com/hook",
		"/relative",
		"http://127.0.0.1:8080/hook", // private targets, not in ATLAS_FETCH_ALLOW
		"http://10.1.2.3/hook",
		"http://[::1]/hook",
		"http://localhost/hook",
		"http://169.254.169.254/latest",
	} {
		_, _, err := strict.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: url, EventTypes: []string{"ItemCreated"}})
		require.ErrorIs(t, err, atlas.ErrInvalid, url)
	}
	_, _, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: "http://127.0.0.1:8080/hook", EventTypes: []string{"ItemCreated"}})
	require.NoError(t, err, "a target in ATLAS_FETCH_ALLOW is accepted")
	_, _, err = f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: "http://user:pw@127.0.0.1:8080/", EventTypes: []string{"ItemCreated"}})
	require.ErrorIs(t, err, atlas.ErrInvalid, "credentials are refused even for an allowed host")
}

func TestCreate_RefusesUnknownAndAccountEventTypes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, types := range [][]string{nil, {"ItemExploded"}, {"PasswordChanged"}, {"ItemCreated", "SessionRevoked"}} {
		_, _, err := f.svc.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: "https://example.com/", EventTypes: types})
		require.ErrorIs(t, err, atlas.ErrInvalid, "%v", types)
	}
}

func TestCreate_HTTPSRequiredInProductionUnlessAllowed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	l, err := enrich.ParseAllowList([]string{"hooks.corp.example"})
	require.NoError(t, err)
	prod := newService(f.env, enrich.Guard{Allow: l}, true, nil)
	create := func(url string) error {
		_, _, err := prod.Create(context.Background(), f.owner.ID, webhook.CreateParams{CollectionID: &f.coll, URL: url, EventTypes: []string{"ItemCreated"}})
		return err
	}
	require.ErrorIs(t, create("http://example.com/hook"), atlas.ErrInvalid)
	require.NoError(t, create("https://example.com/hook"))
	require.NoError(t, create("http://hooks.corp.example/hook"))
}

func TestAccess_OnlyOwnersManageACollectionsWebhooks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	editor, viewer, outsider := f.env.NewUser(t), f.env.NewUser(t), f.env.NewUser(t)
	f.env.AddMember(t, f.owner, f.coll, editor, collection.RoleEditor)
	f.env.AddMember(t, f.owner, f.coll, viewer, collection.RoleViewer)
	e, _ := f.register(t, "https://example.com/hook")
	ctx := context.Background()
	for _, c := range []struct {
		user string
		id   uuid.UUID
		want error
	}{{"editor", editor.ID, atlas.ErrForbidden}, {"viewer", viewer.ID, atlas.ErrForbidden}, {"non-member", outsider.ID, atlas.ErrNotFound}} {
		id, want, user := c.id, c.want, c.user
		_, _, err := f.svc.Create(ctx, id, webhook.CreateParams{CollectionID: &f.coll, URL: "https://example.com/", EventTypes: []string{"ItemCreated"}})
		assert.ErrorIs(t, err, want, user)
		_, err = f.svc.Get(ctx, id, e.ID)
		assert.ErrorIs(t, err, want, user)
		_, _, err = f.svc.Messages(ctx, id, e.ID, pageAll)
		assert.ErrorIs(t, err, want, user)
		assert.ErrorIs(t, f.svc.Delete(ctx, id, e.ID), want, user)
	}
}

func TestAccess_GlobalWebhooksAreForAdministrators(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := f.env.NewUser(t)
	svc := newService(f.env, f.guard, false, []string{admin.Email})
	p := webhook.CreateParams{URL: "https://example.com/all", EventTypes: []string{"ItemCreated"}}
	_, _, err := svc.Create(context.Background(), f.owner.ID, p)
	require.ErrorIs(t, err, atlas.ErrForbidden)
	e, _, err := svc.Create(context.Background(), admin.ID, p)
	require.NoError(t, err)
	assert.Nil(t, e.CollectionID)
	_, err = svc.Get(context.Background(), f.owner.ID, e.ID)
	require.ErrorIs(t, err, atlas.ErrNotFound, "a non-administrator does not see global webhooks")
	list, _, err := svc.List(context.Background(), admin.ID, nil, pageAll)
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func TestRotateSecret_BothSignaturesDuringTheOverlap(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, oldSecret := f.register(t, rc.URL)
	_, newSecret, err := f.svc.RotateSecret(context.Background(), f.owner.ID, e.ID, time.Hour)
	require.NoError(t, err)
	require.NotEqual(t, oldSecret, newSecret)
	f.startWorker(t, f.deliverParams())

	for _, s := range []string{oldSecret, newSecret} {
		rc.setSecret(s)
		n := len(rc.requests())
		_, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
		require.NoError(t, err)
		require.Eventually(t, func() bool { return len(rc.requests()) == n+1 }, waitTimeout, 20*time.Millisecond)
		require.NoError(t, rc.requests()[n].Verified, "a receiver still on one secret verifies")
	}
	_, _, err = f.svc.RotateSecret(context.Background(), f.owner.ID, e.ID, 8*24*time.Hour)
	require.ErrorIs(t, err, atlas.ErrInvalid)
}

func TestRedeliver_SendsTheSameEventAgain(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rc := newReceiver(t, nil)
	e, secret := f.register(t, rc.URL)
	rc.setSecret(secret)
	f.startWorker(t, f.deliverParams())
	m, err := f.svc.SendTest(context.Background(), f.owner.ID, e.ID)
	require.NoError(t, err)
	f.waitForMessage(t, e.ID, webhook.StatusDelivered)

	_, err = f.svc.Redeliver(context.Background(), f.owner.ID, e.ID, m.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(rc.requests()) == 2 }, waitTimeout, 20*time.Millisecond)
	reqs := rc.requests()
	assert.Equal(t, reqs[0].ID, reqs[1].ID)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
	require.NoError(t, reqs[1].Verified)
	m2 := f.waitForMessage(t, e.ID, webhook.StatusDelivered)
	assert.Len(t, m2.Attempts, 2)
}
