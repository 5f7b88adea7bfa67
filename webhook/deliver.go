package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/atlasapp/atlas"
	"github.com/atlasapp/atlas/collection"
	"github.com/atlasapp/atlas/db"
	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/events"
	"github.com/atlasapp/atlas/mail"
	"github.com/atlasapp/atlas/retry"
)

// River kinds and queue of the webhook jobs.
const (
	KindDeliver = "webhook_deliver"
	KindCleanup = "webhook_cleanup"
	// Queue is the River queue of deliveries, apart from the item jobs so
	// that slow receivers never hold up enrichment.
	Queue = "webhooks"
)

// Delivery limits.
const (
	// ExcerptBytes is how much of an answer's body is read and logged.
	ExcerptBytes = 1024
	// DefaultTimeout bounds one attempt (ATLAS_WEBHOOK_TIMEOUT).
	DefaultTimeout = 10 * time.Second
	// MaxAttempts is how often a message is tried: with RetrySchedule,
	// the attempts spread over about a day.
	MaxAttempts = 14
	// FailingLimit is how long an endpoint may fail without one success
	// before it is disabled.
	FailingLimit = 24 * time.Hour
	// UserAgent identifies Atlas to receivers.
	UserAgent = "Atlas-Webhooks/1.0"
)

// RetrySchedule is the delay between attempts: 30 s doubling to 4 h, with
// jitter; 14 attempts take about 25 hours.
var RetrySchedule = retry.Backoff{Base: 30 * time.Second, Max: 4 * time.Hour}

// uniqueWhileActive allows one delivery job per message at a time.
var uniqueWhileActive = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	},
}

// DeliverArgs is the WEBHOOK_DELIVER job: send one message.
type DeliverArgs struct {
	MessageID uuid.UUID `json:"message_id" river:"unique"`
	// Send numbers the sends of the message ("send again" adds one); a job
	// of an earlier send that is still running cannot overwrite the
	// status of the later one.
	Send int `json:"send" river:"unique"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return KindDeliver }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: MaxAttempts, UniqueOpts: uniqueWhileActive}
}

// DeliverParams configure the DeliverWorker.
type DeliverParams struct {
	Pool        *pgxpool.Pool
	Collections *collection.Service
	// Guard is the SSRF guard every request dials through.
	Guard enrich.Guard
	// RequireHTTPS refuses plain http unless the allow list names the host.
	RequireHTTPS bool
	AdminEmails  []string
	// Timeout bounds one attempt (DefaultTimeout).
	Timeout time.Duration
	// Retry is the backoff between attempts (RetrySchedule).
	Retry retry.Backoff
	// Workers is the webhook queue's concurrency in this process (Workers
	// when zero): an endpoint gets at most a quarter of them at once, and
	// failing or slow endpoints together at most half.
	Workers int
	// RootCAs replaces the system roots (tests trust their TLS receivers).
	RootCAs *x509.CertPool
	// Mail emails an endpoint's owner when Atlas disables it (nil: email
	// is off; the dashboard shows the reason either way).
	Mail *mail.Queue
	// Recorder records WebhookDisabled when Atlas disables an endpoint.
	Recorder *events.Recorder
	Logger   *slog.Logger
	NowFunc  func() time.Time
}

// DeliverWorker works WEBHOOK_DELIVER jobs.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	p      DeliverParams
	rules  urlRules
	access access
	client *http.Client
	store  store
	// flights keeps suspect endpoints from taking every worker.
	flights *inflight
}

// NewDeliverWorker returns the delivery worker.
func NewDeliverWorker(p DeliverParams) *DeliverWorker {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	p.Retry = p.Retry.Or(RetrySchedule)
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	if p.Workers <= 0 {
		p.Workers = Workers
	}
	transport := &http.Transport{
		Proxy:                  nil, // never a proxy from the environment
		DialContext:            p.Guard.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: p.RootCAs},
		TLSHandshakeTimeout:    p.Timeout,
		ResponseHeaderTimeout:  p.Timeout,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &DeliverWorker{p: p, rules: urlRules{guard: p.Guard, requireHTTPS: p.RequireHTTPS}, flights: newInflight(p.Workers),
		access: access{collections: p.Collections, admins: p.AdminEmails},
		client: &http.Client{Transport: transport, Timeout: p.Timeout,
			// Redirects are never followed: a receiver that moved updates its URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Timeout implements river.Worker: the attempt plus time for the database.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.p.Timeout + 15*time.Second
}

// NextRetry implements river.Worker.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.p.Retry.Delay(job.Attempt))
}

// errRetry marks an attempt that failed and will be retried.
var errRetry = errors.New("webhook: delivery failed")

// Work implements river.Worker: one attempt at one message.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	now := w.p.NowFunc().UTC()
	d, err := w.store.delivery(ctx, w.p.Pool, job.Args.MessageID, now)
	if errors.Is(err, atlas.ErrNotFound) {
		return nil // its endpoint was deleted, or the log expired
	}
	if err != nil {
		return err
	}
	msg, ep := d.msg, d.ep
	if msg.Send != job.Args.Send || msg.Status != StatusPending {
		return nil // superseded by a later send, or done
	}
	if !ep.Ordered || msg.EventType == TestEventType {
		msg.EntityID = nil // no order to keep
	}
	if waits, err := w.mustWait(ctx, msg); err != nil || waits {
		return err // an earlier message of the entity enqueues it again when it ends
	}
	if !ep.Enabled && msg.EventType != TestEventType {
		return w.giveUp(ctx, ep, msg, "the endpoint is disabled", now)
	}
	if err := w.allowed(ctx, d); err != nil {
		return err
	}
	u, err := w.rules.check(ep.URL)
	if err != nil {
		return w.record(ctx, job, ep, msg, Attempt{Outcome: OutcomeRefused, Error: err.Error(), At: now})
	}
	release, ok := w.flights.acquire(ep.ID, ep.FailingSince != nil, time.Now())
	if !ok {
		return river.JobSnooze(snoozeFor(w.p.Timeout, job.Metadata))
	}
	defer release()
	sig, err := signatureHeader(d.secrets, msg.EventID.String(), now, msg.Payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(msg.Payload))
	if err != nil {
		return w.record(ctx, job, ep, msg, Attempt{Outcome: OutcomeRefused, Error: err.Error(), At: now})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", msg.EventID.String())
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	return w.record(ctx, job, ep, msg, w.send(req, now))
}

// allowed gives the message up (and returns the job's end) when the
// endpoint's owner may no longer manage the collection, nil otherwise. The
// owner's role in the endpoint's collection came with the delivery; a
// global endpoint's owner must still be an administrator.
func (w *DeliverWorker) allowed(ctx context.Context, d delivery) error {
	var err error
	if d.ep.CollectionID != nil {
		role, member := collection.MemberRole(d.role)
		err = collection.Decide(role, member, collection.ActionManage)
	} else {
		err = w.access.check(ctx, w.p.Pool, d.ep.OwnerID, nil)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, atlas.ErrNotFound), errors.Is(err, atlas.ErrForbidden):
		return w.giveUp(ctx, d.ep, d.msg, "the endpoint's owner may no longer manage the collection", w.p.NowFunc().UTC())
	default:
		return err
	}
}

// giveUp marks the message failed without an attempt (and lets the next
// message of its entity go) and ends the job.
func (w *DeliverWorker) giveUp(ctx context.Context, ep Endpoint, msg Message, reason string, now time.Time) error {
	err := db.InTx(ctx, w.p.Pool, func(tx pgx.Tx) error {
		if msg.EntityID != nil {
			if err := lockEntity(ctx, tx, ep.ID, *msg.EntityID); err != nil {
				return err
			}
		}
		if err := w.store.giveUp(ctx, tx, msg.ID, msg.Send, reason, now); err != nil {
			return err
		}
		return wakeNext(ctx, tx, msg)
	})
	if err != nil {
		return err
	}
	return river.JobCancel(errors.New(reason))
}

// send makes one request and describes its result (at is the attempt's
// time on the worker's clock; latency is measured on the monotonic one).
func (w *DeliverWorker) send(req *http.Request, at time.Time) Attempt {
	start := time.Now()
	resp, err := w.client.Do(req)
	a := Attempt{At: at}
	if err != nil {
		a.Latency = time.Since(start)
		a.Outcome, a.Error = OutcomeFailed, err.Error()
		if errors.Is(err, enrich.ErrBlockedAddress) {
			a.Outcome, a.Error = OutcomeRefused, "the address is private, loopback or link-local; an operator can allow it with ATLAS_FETCH_ALLOW"
		}
		return a
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, ExcerptBytes)) // the rest is never read
	a.Latency = time.Since(start)
	code := resp.StatusCode
	a.StatusCode, a.ResponseExcerpt = &code, sanitizeExcerpt(excerpt)
	switch {
	case code >= 200 && code < 300:
		a.Outcome = OutcomeDelivered
	case code == http.StatusGone:
		a.Outcome = OutcomeGone
	default:
		a.Outcome = OutcomeFailed
		if code >= 300 && code < 400 {
			a.Error = "redirects are not followed; register the URL the receiver moved to"
		}
	}
	return a
}

// record logs the attempt, moves the message and the endpoint on, and
// returns what River should do: nil when done, an error to retry, a
// cancellation when there is no point.
func (w *DeliverWorker) record(ctx context.Context, job *river.Job[DeliverArgs], ep Endpoint, msg Message, a Attempt) error {
	if a.Outcome == OutcomeDelivered && msg.EntityID == nil {
		return w.recordDelivered(ctx, ep, msg, a)
	}
	var result error
	err := db.InTx(ctx, w.p.Pool, func(tx pgx.Tx) error {
		if msg.EntityID != nil {
			if err := lockEntity(ctx, tx, ep.ID, *msg.EntityID); err != nil {
				return err
			}
		}
		status, reason := StatusPending, ""
		switch a.Outcome {
		case OutcomeDelivered:
			status, result = StatusDelivered, nil
			_, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, ep.ID)
			if err != nil {
				return fmt.Errorf("clear webhook failures: %w", err)
			}
		case OutcomeGone:
			status, reason = StatusFailed, "the receiver answered 410 Gone; the endpoint was disabled"
			if err := w.disable(ctx, tx, ep, "the receiver answered 410 Gone", a.At); err != nil {
				return err
			}
			result = river.JobCancel(errors.New(reason))
		default:
			failingSince, err := markFailing(ctx, tx, ep.ID, a.At)
			if err != nil {
				return err
			}
			switch {
			case a.At.Sub(failingSince) >= FailingLimit:
				status, reason = StatusFailed, "the endpoint failed for a day and was disabled"
				if err := w.disable(ctx, tx, ep, "failing for more than a day", a.At); err != nil {
					return err
				}
				result = river.JobCancel(errors.New(reason))
			case job.Attempt >= job.MaxAttempts:
				status, reason = StatusFailed, "gave up after "+strconv.Itoa(job.Attempt)+" attempts"
				result = river.JobCancel(errors.New(reason))
			default:
				result = fmt.Errorf("%w: %s", errRetry, describe(a))
			}
		}
		if err := w.store.insertAttempt(ctx, tx, msg.ID, msg.Send, a, status, reason); err != nil {
			return err
		}
		if status == StatusPending {
			return nil
		}
		return wakeNext(ctx, tx, msg)
	})
	if err != nil {
		return err
	}
	return result
}

// recordDelivered is record for the common case, a delivered message
// whose entity has no order to keep: its statements go in one round trip
// (one batch runs as one implicit transaction). The endpoint's failing
// streak, when it had one as the delivery read it, ends.
func (w *DeliverWorker) recordDelivered(ctx context.Context, ep Endpoint, msg Message, a Attempt) error {
	b := &pgx.Batch{}
	if ep.FailingSince != nil {
		b.Queue(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1`, ep.ID)
	}
	queueAttempt(b, msg.ID, msg.Send, a, StatusDelivered, "")
	if err := w.p.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("log webhook attempt: %w", err)
	}
	return nil
}

// describe is an attempt's failure in a line, for the job's error.
func describe(a Attempt) string {
	if a.StatusCode != nil {
		return "answered " + strconv.Itoa(*a.StatusCode)
	}
	return a.Error
}

// markFailing records a failure: the endpoint's failing streak starts now
// unless one is under way; it returns when the streak started.
func markFailing(ctx context.Context, tx pgx.Tx, id uuid.UUID, at time.Time) (time.Time, error) {
	var since time.Time
	err := tx.QueryRow(ctx, `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING failing_since`, id, at).Scan(&since)
	if err != nil {
		return time.Time{}, fmt.Errorf("mark webhook failing: %w", err)
	}
	return since, nil
}

// disable turns an endpoint off with the reason its owner sees, records
// WebhookDisabled and, when email is on, emails the owner (once: only the
// attempt that turns it off does).
func (w *DeliverWorker) disable(ctx context.Context, tx pgx.Tx, ep Endpoint, reason string, at time.Time) error {
	tag, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3 WHERE id = $1 AND enabled`, ep.ID, reason, at)
	if err != nil {
		return fmt.Errorf("disable webhook: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	if err := recordEvent(ctx, w.p.Recorder, tx, events.WebhookDisabled, nil, ep, map[string]any{"reason": reason}); err != nil {
		return err
	}
	if w.p.Mail == nil {
		return nil
	}
	return w.p.Mail.Enqueue(ctx, tx, mail.Args{Template: mail.TemplateWebhookDisabled, Ref: ep.ID, Detail: reason, At: at})
}
