package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// api is a small client of Atlas' HTTP API on loopback.
type api struct {
	base   string
	client *http.Client
}

// call sends a JSON request and decodes a 2xx answer into out; it returns
// the status (0 when no answer came).
func (a api) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, err
		}
	}
	return res.StatusCode, nil
}

// account is a registered user with a token.
type account struct {
	ID    uuid.UUID
	Email string
	Token string
}

func (a api) register(ctx context.Context, name string) (account, error) {
	email := fmt.Sprintf("%s-%s@chaos.example.com", name, uuid.NewString()[:8])
	var u struct {
		ID uuid.UUID `json:"id"`
	}
	if _, err := a.call(ctx, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": email, "password": "chaos monkey password", "display_name": name}, &u); err != nil {
		return account{}, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := a.call(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "chaos monkey password"}, &tok); err != nil {
		return account{}, err
	}
	return account{ID: u.ID, Email: email, Token: tok.AccessToken}, nil
}

// acks is what the clients saw acknowledged (a 2xx), per entity: the last
// acknowledged state, or unknown when a later request of the entity failed
// (it may or may not have been applied).
type acks struct {
	mu      sync.Mutex
	items   map[uuid.UUID]itemAck
	members map[[2]uuid.UUID]memberAck
	errors  atomic.Int64
	oks     atomic.Int64
	// inflight counts requests under way.
	inflight atomic.Int64
}

type itemAck struct {
	Version int64 // last acknowledged version
	Deleted bool
	Unknown bool
}

type memberAck struct {
	Present bool
	Unknown bool
}

func newAcks() *acks {
	return &acks{items: map[uuid.UUID]itemAck{}, members: map[[2]uuid.UUID]memberAck{}}
}

// writer creates, updates and deletes items in its own collection (which
// has a webhook to the run's receiver for its ItemCreated events) and adds
// and removes a guest member, recording every outcome.
type writer struct {
	api    api
	owner  account
	guest  account
	coll   uuid.UUID
	acks   *acks
	live   []uuid.UUID
	member bool
	rng    *rand.Rand
}

func newWriter(ctx context.Context, a api, n int, ack *acks, hooks *receiver) (*writer, error) {
	owner, err := a.register(ctx, fmt.Sprintf("writer%d", n))
	if err != nil {
		return nil, err
	}
	guest, err := a.register(ctx, fmt.Sprintf("guest%d", n))
	if err != nil {
		return nil, err
	}
	var c struct {
		ID uuid.UUID `json:"id"`
	}
	if _, err := a.call(ctx, "POST", "/api/v1/collections", owner.Token, map[string]string{"name": fmt.Sprintf("chaos %d", n)}, &c); err != nil {
		return nil, err
	}
	if err := registerHook(ctx, a, owner, c.ID, hooks, fmt.Sprintf("writer%d", n)); err != nil {
		return nil, err
	}
	return &writer{api: a, owner: owner, guest: guest, coll: c.ID, acks: ack, rng: rand.New(rand.NewPCG(uint64(n), 42))}, nil
}

type itemBody struct {
	ID      uuid.UUID `json:"id"`
	Version int64     `json:"version"`
}

// step makes one request.
func (w *writer) step(ctx context.Context) {
	w.acks.inflight.Add(1)
	defer w.acks.inflight.Add(-1)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch r := w.rng.IntN(10); {
	case r < 4 || len(w.live) < 3:
		var it itemBody
		_, err := w.api.call(ctx, "POST", fmt.Sprintf("/api/v1/collections/%s/items", w.coll), w.owner.Token,
			map[string]any{"title": "chaos " + uuid.NewString()[:8], "tags": []string{"chaos", fmt.Sprintf("t%d", w.rng.IntN(5))}}, &it)
		if w.record(err) {
			w.acks.mu.Lock()
			w.acks.items[it.ID] = itemAck{Version: it.Version}
			w.acks.mu.Unlock()
			w.live = append(w.live, it.ID)
		}
	case r < 7:
		id := w.live[w.rng.IntN(len(w.live))]
		var it itemBody
		_, err := w.api.call(ctx, "PATCH", "/api/v1/items/"+id.String(), w.owner.Token,
			map[string]any{"title": "changed " + uuid.NewString()[:8]}, &it)
		w.acks.mu.Lock()
		if w.record(err) {
			w.acks.items[id] = itemAck{Version: it.Version}
		} else {
			a := w.acks.items[id]
			a.Unknown = true
			w.acks.items[id] = a
		}
		w.acks.mu.Unlock()
	case r < 9:
		i := w.rng.IntN(len(w.live))
		id := w.live[i]
		_, err := w.api.call(ctx, "DELETE", "/api/v1/items/"+id.String(), w.owner.Token, nil, nil)
		w.acks.mu.Lock()
		a := w.acks.items[id]
		if w.record(err) {
			a.Deleted, a.Unknown = true, false
			w.live = append(w.live[:i], w.live[i+1:]...)
		} else {
			a.Unknown = true
		}
		w.acks.items[id] = a
		w.acks.mu.Unlock()
	default:
		key := [2]uuid.UUID{w.coll, w.guest.ID}
		var status int
		var err error
		if w.member {
			status, err = w.api.call(ctx, "DELETE", fmt.Sprintf("/api/v1/collections/%s/members/%s", w.coll, w.guest.ID), w.owner.Token, nil, nil)
			if status == http.StatusNotFound { // an earlier removal went through after all
				err = nil
			}
		} else {
			status, err = w.api.call(ctx, "POST", fmt.Sprintf("/api/v1/collections/%s/members", w.coll), w.owner.Token,
				map[string]string{"email": w.guest.Email, "role": "viewer"}, nil)
			if status == http.StatusConflict { // an earlier addition went through after all
				err = nil
			}
		}
		w.acks.mu.Lock()
		if w.record(err) {
			w.member = !w.member
			w.acks.members[key] = memberAck{Present: w.member}
		} else {
			w.acks.members[key] = memberAck{Unknown: true} // the same request is tried again next time
		}
		w.acks.mu.Unlock()
	}
}

func (w *writer) record(err error) bool {
	if err != nil {
		w.acks.errors.Add(1)
		return false
	}
	w.acks.oks.Add(1)
	return true
}

// run makes requests every interval while on() says so, until ctx ends.
func (w *writer) run(ctx context.Context, interval time.Duration, on func() bool) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if on() {
				w.step(ctx)
			}
		}
	}
}
