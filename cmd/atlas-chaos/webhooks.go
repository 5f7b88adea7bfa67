package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is the run's webhook receiver: a real HTTP server on loopback
// that verifies every request's signature with the reference Standard
// Webhooks library (the secret of the writer's endpoint, by path) and
// deduplicates on webhook-id, as the README tells receivers to. It takes
// delay to answer, after it has processed the event, so that a worker
// killed mid-delivery leaves deliveries processed but unacknowledged, which
// River sends again and the receiver must recognise.
type receiver struct {
	URL   string
	srv   *http.Server
	delay time.Duration

	mu sync.Mutex
	// verifiers are the writers' endpoints' secrets, by path.
	verifiers map[string]*standardwebhooks.Webhook
	// events are the distinct webhook-ids processed, with their event.
	events map[string]hookEvent
	// requests counts every request; redelivered the ones whose
	// webhook-id was processed already (dropped by the deduplication);
	// unverified the ones whose signature did not verify (answered 400);
	// cut the ones whose sender went away before the answer (a worker
	// killed mid-delivery).
	requests, redelivered, unverified, cut int
}

// hookEvent is what the receiver keeps of an event.
type hookEvent struct {
	Type   string
	Entity uuid.UUID
}

// startReceiver listens on a free loopback port until ctx ends.
func startReceiver(ctx context.Context, delay time.Duration) (*receiver, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	r := &receiver{URL: "http://" + ln.Addr().String(), delay: delay,
		verifiers: map[string]*standardwebhooks.Webhook{}, events: map[string]hookEvent{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }() // ends when the server is closed
	go func() {
		<-ctx.Done()
		_ = r.srv.Close()
	}()
	return r, nil
}

// endpoint returns the URL of a new endpoint path verified with secret.
func (r *receiver) endpoint(path, secret string) (string, error) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verifiers["/hooks/"+path] = wh
	return r.URL + "/hooks/" + path, nil
}

// ServeHTTP verifies, deduplicates and records one delivery.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r.mu.Lock()
	r.requests++
	wh := r.verifiers[req.URL.Path]
	if err != nil || wh == nil || wh.Verify(body, req.Header) != nil {
		r.unverified++
		r.mu.Unlock()
		http.Error(w, "signature does not verify", http.StatusBadRequest)
		return
	}
	id := req.Header.Get("webhook-id")
	if _, seen := r.events[id]; seen {
		r.redelivered++
	} else {
		var env struct {
			Type   string `json:"type"`
			Entity struct {
				ID uuid.UUID `json:"id"`
			} `json:"entity"`
		}
		_ = json.Unmarshal(body, &env) // a verified body is Atlas' envelope
		r.events[id] = hookEvent{Type: env.Type, Entity: env.Entity.ID}
	}
	r.mu.Unlock()
	select {
	case <-time.After(r.delay):
		w.WriteHeader(http.StatusNoContent)
	case <-req.Context().Done(): // the worker died before the answer
		r.mu.Lock()
		r.cut++
		r.mu.Unlock()
	}
}

// hookState is what a webhook check found.
type hookState struct {
	Converged bool
	// Events is how many distinct ItemCreated events the receiver
	// processed; Requests, Redelivered, Unverified and Cut are its counts.
	Events, Requests, Redelivered, Unverified, Cut int
	// Missing counts items (acknowledged, or with an ItemCreated in the
	// audit trail) whose ItemCreated the receiver never processed;
	// Duplicated counts items processed as created more than once (under
	// different webhook-ids: deduplication cannot catch them).
	Missing, Duplicated int
	Detail              string
}

// createdEventsSQL lists every ItemCreated event of the audit trail.
const createdEventsSQL = `SELECT event_id, entity_id FROM audit_events WHERE type = 'ItemCreated'`

// checkHooks compares what the receiver processed with the acknowledged
// creations and the audit trail's ItemCreated events.
func checkHooks(ctx context.Context, pool *pgxpool.Pool, ack *acks, r *receiver) (hookState, error) {
	expected := map[uuid.UUID]uuid.UUID{} // item → its ItemCreated event id (uuid.Nil: not in the trail yet)
	ack.mu.Lock()
	for id := range ack.items {
		expected[id] = uuid.Nil
	}
	ack.mu.Unlock()
	rows, err := pool.Query(ctx, createdEventsSQL)
	if err != nil {
		return hookState{}, fmt.Errorf("read ItemCreated events: %w", err)
	}
	for rows.Next() {
		var ev, item uuid.UUID
		if err := rows.Scan(&ev, &item); err != nil {
			rows.Close()
			return hookState{}, err
		}
		expected[item] = ev
	}
	if err := rows.Err(); err != nil {
		return hookState{}, err
	}

	r.mu.Lock()
	st := hookState{Requests: r.requests, Redelivered: r.redelivered, Unverified: r.unverified, Cut: r.cut}
	st.compare(expected, r.events)
	r.mu.Unlock()
	return st, nil
}

// compare fills in the events, missing and duplicated counts, the detail
// and whether the receiver converged, from the expected creations (item →
// its ItemCreated event id, uuid.Nil when not known yet) and the events
// processed (by webhook-id).
func (st *hookState) compare(expected map[uuid.UUID]uuid.UUID, processed map[string]hookEvent) {
	created := map[uuid.UUID][]string{} // item → the webhook-ids processed as its creation
	for id, ev := range processed {
		if ev.Type == "ItemCreated" {
			created[ev.Entity] = append(created[ev.Entity], id)
			st.Events++
		}
	}
	var missing, notes []string
	for item, ev := range expected {
		ids := created[item]
		switch {
		case len(ids) == 0:
			st.Missing++
			missing = append(missing, item.String())
		case ev != uuid.Nil && !slices.Contains(ids, ev.String()):
			st.Missing++
			missing = append(missing, item.String()+" (under another webhook-id)")
		}
	}
	for _, ids := range created {
		if len(ids) > 1 {
			st.Duplicated += len(ids) - 1
		}
	}
	if st.Missing > 0 {
		notes = append(notes, fmt.Sprintf("ItemCreated never processed for %d items: %s", st.Missing, strings.Join(first(missing, 3), "; ")))
	}
	if st.Duplicated > 0 {
		notes = append(notes, fmt.Sprintf("%d creations processed twice under different webhook-ids", st.Duplicated))
	}
	if st.Unverified > 0 {
		notes = append(notes, fmt.Sprintf("%d requests whose signature did not verify", st.Unverified))
	}
	st.Converged = st.Missing == 0 && st.Duplicated == 0 && st.Unverified == 0
	st.Detail = strings.Join(notes, " | ")
}

// registerHook registers an endpoint of the writer's collection for its
// ItemCreated events at the receiver (before the writer creates any item).
func registerHook(ctx context.Context, a api, owner account, coll uuid.UUID, r *receiver, name string) error {
	var out struct {
		Secret string `json:"secret"`
	}
	path := name + "-" + coll.String()[:8]
	if _, err := a.call(ctx, "POST", fmt.Sprintf("/api/v1/collections/%s/webhooks", coll), owner.Token, map[string]any{
		"url": r.URL + "/hooks/" + path, "event_types": []string{"ItemCreated"}, "description": "chaos receiver"}, &out); err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	if out.Secret == "" {
		return errors.New("register webhook: no secret in the answer")
	}
	_, err := r.endpoint(path, out.Secret)
	return err
}

// hookResult is the webhook row of the table.
type hookResult struct {
	state     hookState
	converged time.Duration // from the last fault's end; -1: not within the deadline
}

func (h hookResult) ok() bool { return h.converged >= 0 }

// waitHooks waits, after the last fault, until the receiver has processed
// every ItemCreated exactly once (or o.hookDeadline passes).
func waitHooks(ctx context.Context, o options, pool *pgxpool.Pool, ack *acks, r *receiver, log *slog.Logger) hookResult {
	start := time.Now()
	res := hookResult{converged: -1}
	for {
		st, err := checkHooks(ctx, pool, ack, r)
		if err != nil {
			log.Warn("webhook check failed; retrying", "error", err)
		} else {
			res.state = st
			if st.Converged {
				res.converged = time.Since(start)
				break
			}
		}
		if time.Since(start) > o.hookDeadline || ctx.Err() != nil {
			break
		}
		sleep(ctx, time.Second)
	}
	log.Info("webhooks done", "ok", res.ok(), "converged", res.converged, "detail", res.state.Detail)
	return res
}

// detail is ": d" for a non-empty detail.
func detail(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}
