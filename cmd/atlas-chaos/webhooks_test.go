package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSecret is a made-up endpoint secret, built here so that no literal
// key sits in the history.
var testSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("atlas chaos receiver test secret"))

// post sends body as webhook-id id, signed with secret, and returns the
// status (0 when the client gave up first).
func post(t *testing.T, client *http.Client, url, id, secret string, body []byte) int {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	now := time.Now()
	sig, err := wh.Sign(id, now, body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	return res.StatusCode
}

func TestReceiver_VerifiesDeduplicatesAndCountsCutDeliveries(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := startReceiver(ctx, 300*time.Millisecond)
	require.NoError(t, err)
	url, err := r.endpoint("writer0", testSecret)
	require.NoError(t, err)
	item := uuid.New()
	body := []byte(`{"type":"ItemCreated","entity":{"type":"item","id":"` + item.String() + `"}}`)
	client := &http.Client{Timeout: 5 * time.Second}

	assert.Equal(t, http.StatusNoContent, post(t, client, url, "ev-1", testSecret, body))
	assert.Equal(t, http.StatusNoContent, post(t, client, url, "ev-1", testSecret, body), "a redelivery is acknowledged")
	assert.Equal(t, http.StatusBadRequest, post(t, client, url, "ev-2", "whsec_"+"c2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==", body))
	assert.Equal(t, http.StatusBadRequest, post(t, client, r.URL+"/hooks/unknown", "ev-3", testSecret, body))
	hasty := &http.Client{Timeout: 50 * time.Millisecond} // a worker killed before the answer
	assert.Zero(t, post(t, hasty, url, "ev-4", testSecret, body))

	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.cut == 1
	}, 10*time.Second, 10*time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Equal(t, 5, r.requests)
	assert.Equal(t, 1, r.redelivered)
	assert.Equal(t, 2, r.unverified)
	assert.Equal(t, map[string]hookEvent{"ev-1": {Type: "ItemCreated", Entity: item}, "ev-4": {Type: "ItemCreated", Entity: item}}, r.events,
		"an event is processed before the answer, so a cut delivery counts")
}

func TestHookState_MissingAndDuplicatedCreations(t *testing.T) {
	t.Parallel()
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	evA, evB := uuid.New(), uuid.New()
	for _, tc := range []struct {
		name                string
		expected            map[uuid.UUID]uuid.UUID
		processed           map[string]hookEvent
		missing, duplicated int
	}{
		{"all once", map[uuid.UUID]uuid.UUID{a: evA, b: uuid.Nil},
			map[string]hookEvent{evA.String(): {"ItemCreated", a}, "x": {"ItemCreated", b}}, 0, 0},
		{"one never processed", map[uuid.UUID]uuid.UUID{a: evA, b: evB},
			map[string]hookEvent{evA.String(): {"ItemCreated", a}}, 1, 0},
		{"processed under another id only", map[uuid.UUID]uuid.UUID{a: evA},
			map[string]hookEvent{"other": {"ItemCreated", a}}, 1, 0},
		{"one creation under two ids", map[uuid.UUID]uuid.UUID{a: evA},
			map[string]hookEvent{evA.String(): {"ItemCreated", a}, "again": {"ItemCreated", a}}, 0, 1},
		{"other types do not count", map[uuid.UUID]uuid.UUID{c: uuid.Nil},
			map[string]hookEvent{"u": {"ItemUpdated", c}}, 1, 0},
	} {
		var st hookState
		st.compare(tc.expected, tc.processed)
		assert.Equal(t, tc.missing, st.Missing, tc.name)
		assert.Equal(t, tc.duplicated, st.Duplicated, tc.name)
		assert.Equal(t, tc.missing == 0 && tc.duplicated == 0, st.Converged, tc.name)
	}
}
