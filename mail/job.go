package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/atlasapp/atlas/retry"
)

// Kind is the River kind of the SEND_EMAIL job.
const Kind = "send_email"

// MaxAttempts is how often a SEND_EMAIL job is tried: with DefaultRetryBase
// doubling, an SMTP server down for about two hours still gets the mail.
const MaxAttempts = 10

// Defaults of the worker.
const (
	// DefaultRetryBase is the delay before the second attempt; each later
	// one waits twice as long, up to DefaultRetryMax.
	DefaultRetryBase = 15 * time.Second
	DefaultRetryMax  = 30 * time.Minute
	// DefaultTimeout bounds one attempt (preparing and sending).
	DefaultTimeout = time.Minute
)

// Args is the SEND_EMAIL job: which template, and whom or what it is
// about. It carries no secret (see the package doc); the template's
// PrepareFunc reads the rest when the job runs.
type Args struct {
	Template string `json:"template"`
	// Email is the address the mail is about (a password reset request
	// names only an address).
	Email string `json:"email,omitempty"`
	// Ref is the id of what the mail is about (a user, an invitation).
	Ref uuid.UUID `json:"ref,omitzero"`
	// Notice is what a security notice reports (a Notice* value) and
	// Detail what it names (a token's name, a device).
	Notice string `json:"notice,omitempty"`
	Detail string `json:"detail,omitempty"`
	// At is when what a notice reports happened.
	At time.Time `json:"at,omitzero"`
}

// What a security notice reports.
const (
	NoticePasswordChanged = "password_changed"
	NoticeAPITokenCreated = "api_token_created"
	NoticeNewSignIn       = "new_sign_in"
)

// Kind implements river.JobArgs.
func (Args) Kind() string { return Kind }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// Queue enqueues SEND_EMAIL jobs inside the caller's transaction, so the
// mail goes out if and only if the change that causes it commits. A nil
// *Queue means email is off.
type Queue struct {
	river *river.Client[pgx.Tx]
}

// NewQueue returns a queue inserting through an (insert-only) River client.
func NewQueue(c *river.Client[pgx.Tx]) *Queue { return &Queue{river: c} }

// Enqueue inserts one SEND_EMAIL job in tx.
func (q *Queue) Enqueue(ctx context.Context, tx pgx.Tx, a Args) error {
	if _, err := q.river.InsertTx(ctx, tx, a, nil); err != nil {
		return fmt.Errorf("enqueue %s email: %w", a.Template, err)
	}
	return nil
}

// Prepared is what a template needs to be sent: its recipient and data.
type Prepared struct {
	To   Address
	Data map[string]any
}

// ErrSkip is returned by a PrepareFunc when there is nothing to send (no
// account has the address, the invitation was revoked): the job completes.
var ErrSkip = errors.New("nothing to send")

// PrepareFunc reads what a template needs when its job runs (and makes a
// link's token, storing its hash).
type PrepareFunc func(ctx context.Context, a Args) (Prepared, error)

// WorkerParams configure the SEND_EMAIL worker.
type WorkerParams struct {
	Sender    Sender
	Templates *Templates
	// Prepare maps each template name to its PrepareFunc.
	Prepare map[string]PrepareFunc
	// PublicURL is the base of the dashboard's links (no trailing slash);
	// every template gets it as .PublicURL.
	PublicURL string
	// Retry is the backoff between attempts (DefaultRetryBase doubling up
	// to DefaultRetryMax).
	Retry   retry.Backoff
	Timeout time.Duration
	NowFunc func() time.Time
}

// Worker runs SEND_EMAIL jobs.
type Worker struct {
	river.WorkerDefaults[Args]
	p WorkerParams
}

// NewWorker returns the SEND_EMAIL worker.
func NewWorker(p WorkerParams) *Worker {
	p.Retry = p.Retry.Or(retry.Backoff{Base: DefaultRetryBase, Max: DefaultRetryMax})
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.NowFunc == nil {
		p.NowFunc = time.Now
	}
	return &Worker{p: p}
}

// Register adds the worker to River's workers.
func (w *Worker) Register(workers *river.Workers) error {
	if err := river.AddWorkerSafely(workers, w); err != nil {
		return fmt.Errorf("register %s worker: %w", Kind, err)
	}
	return nil
}

// Timeout implements river.Worker.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return w.p.Timeout }

// NextRetry implements river.Worker with exponential backoff.
func (w *Worker) NextRetry(job *river.Job[Args]) time.Time {
	return w.p.NowFunc().Add(w.p.Retry.Delay(job.Attempt))
}

// Work prepares, renders and sends the email. A template without a
// PrepareFunc, or one that cannot render, fails for good (no retry); a
// send that fails is retried.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	prepare, ok := w.p.Prepare[job.Args.Template]
	if !ok {
		return river.JobCancel(fmt.Errorf("no email template %q in this worker", job.Args.Template))
	}
	p, err := prepare(ctx, job.Args)
	if errors.Is(err, ErrSkip) {
		_ = river.RecordOutput(ctx, map[string]any{"sent": false})
		return nil
	}
	if err != nil {
		return fmt.Errorf("prepare %s email: %w", job.Args.Template, err)
	}
	data := map[string]any{"PublicURL": w.p.PublicURL}
	for k, v := range p.Data {
		data[k] = v
	}
	msg, err := w.p.Templates.Render(job.Args.Template, p.To, data)
	if err != nil {
		return river.JobCancel(err)
	}
	if err := w.p.Sender.Send(ctx, msg); err != nil {
		return err
	}
	_ = river.RecordOutput(ctx, map[string]any{"sent": true})
	return nil
}
