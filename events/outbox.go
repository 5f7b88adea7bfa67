package events

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// River settings of the outbox job.
const (
	// KindPublishEvent is the River job kind that publishes one envelope.
	KindPublishEvent = "publish_event"
	// EventLanes is how many River queues ("lanes") the outbox spreads its
	// jobs over. A lane is worked by one worker at a time, in job order, and
	// every event of one entity (one Kafka key) goes to the same lane, so
	// the events of an entity are published in commit order while the lanes
	// publish in parallel. Changing it reorders only the events in flight
	// during the change.
	EventLanes = 8
	// PublishMaxAttempts is how many times River tries to publish an
	// envelope. With PublishRetryCap between attempts, this rides out a
	// Kafka outage of about three days before the job is discarded (and
	// stays visible as failed).
	PublishMaxAttempts = 8640
	// PublishRetryCap is the longest wait between two publish attempts:
	// retries back off exponentially from one second up to this, so events
	// flow again within half a minute of Kafka coming back.
	PublishRetryCap = 30 * time.Second
)

// PublishArgs is the outbox job: one envelope to publish, stored by River in
// the same transaction as the write that produced it.
type PublishArgs struct {
	Envelope Envelope `json:"envelope"`
}

// Kind implements river.JobArgs.
func (PublishArgs) Kind() string { return KindPublishEvent }

// InsertOpts implements river.JobArgsWithInsertOpts: an outbox job runs on
// the lane of its envelope's key and is retried PublishMaxAttempts times.
func (a PublishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: LaneQueue(a.Envelope.Key()), MaxAttempts: PublishMaxAttempts}
}

// LaneQueue is the River queue of the lane that publishes events with the
// given Kafka key.
func LaneQueue(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("events_%d", h.Sum32()%EventLanes)
}

// LaneQueues lists every lane's queue name (the worker configures them all).
func LaneQueues() []string {
	qs := make([]string, EventLanes)
	for i := range qs {
		qs[i] = fmt.Sprintf("events_%d", i)
	}
	return qs
}

// Publisher publishes one envelope and returns once it is durably accepted.
// *Producer implements it.
type Publisher interface {
	Publish(ctx context.Context, env Envelope) error
}

// PublishWorker is the River worker for PublishArgs: it completes the job
// only after the envelope has been delivered.
type PublishWorker struct {
	river.WorkerDefaults[PublishArgs]

	// Publisher delivers the envelope (normally a *Producer).
	Publisher Publisher
}

// NewPublishWorker returns a PublishWorker that publishes through pub.
func NewPublishWorker(pub Publisher) *PublishWorker {
	return &PublishWorker{Publisher: pub}
}

// NextRetry backs off exponentially (1 s, 2 s, 4 s, ...) up to
// PublishRetryCap, with up to 10% jitter.
func (w *PublishWorker) NextRetry(job *river.Job[PublishArgs]) time.Time {
	d := PublishRetryCap
	if job.Attempt < 6 {
		d = time.Duration(1<<job.Attempt) * time.Second / 2
	}
	d += time.Duration(rand.Int64N(int64(d/10) + 1))
	return time.Now().Add(d)
}

// Work publishes the job's envelope. A delivery failure is returned so River
// retries the job with backoff; an envelope that fails the schema can never
// be published, so its job is cancelled instead of retried.
func (w *PublishWorker) Work(ctx context.Context, job *river.Job[PublishArgs]) error {
	err := w.Publisher.Publish(ctx, job.Args.Envelope)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("publish_event job %d: %w", job.ID, err)
	if errors.Is(err, ErrInvalidEnvelope) {
		return river.JobCancel(err)
	}
	return err
}

// Outbox stores envelopes as PublishArgs jobs inside the caller's
// transaction, so an event exists if and only if its write committed.
type Outbox struct {
	client *river.Client[pgx.Tx]
}

// NewOutbox returns an Outbox that inserts through client; an insert-only
// client (no queues or workers configured) is enough.
func NewOutbox(client *river.Client[pgx.Tx]) *Outbox {
	return &Outbox{client: client}
}

// Enqueue adds one publish_event job per envelope to tx. Envelopes must
// come from New, which validated them against the schema (validating again
// here would double the cost of every write for nothing).
func (o *Outbox) Enqueue(ctx context.Context, tx pgx.Tx, envs ...Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(envs))
	for i, env := range envs {
		params[i] = river.InsertManyParams{Args: PublishArgs{Envelope: env}}
	}
	if _, err := o.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d events: %w", len(envs), err)
	}
	return nil
}
