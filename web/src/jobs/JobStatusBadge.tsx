// A job's state in people's words: a coloured word, and for a job that is
// retrying, when and which attempt comes next.
import type { Job } from '../api/types';

const labels: Record<Job['status'], string> = {
  QUEUED: 'Queued',
  RETRYING: 'Retrying',
  RUNNING: 'Running',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "Done", "Failed", ... for a status. */
export function statusLabel(status: Job['status']): string {
  return labels[status];
}

/** "at 14:05 — attempt 2 of 5" for a retrying job; "" otherwise. */
export function nextAttemptText(job: Pick<Job, 'status' | 'next_attempt' | 'next_attempt_at' | 'max_attempts'>): string {
  if (job.status !== 'RETRYING' || !job.next_attempt) return '';
  const at = job.next_attempt_at ? new Date(job.next_attempt_at) : null;
  const when = at && at.getTime() > Date.now() ? `at ${time.format(at)} — ` : 'now — ';
  return `${when}attempt ${job.next_attempt} of ${Math.max(job.max_attempts, job.next_attempt)}`;
}

export function JobStatusBadge({ job }: { job: Pick<Job, 'status' | 'next_attempt' | 'next_attempt_at' | 'max_attempts'> }) {
  const next = nextAttemptText(job);
  return (
    <span className="job-state">
      <span className={`badge job-${job.status.toLowerCase()}`}>{statusLabel(job.status)}</span>
      {next && <span className="muted"> {next}</span>}
    </span>
  );
}

/** Why a job is retrying or failed: the sentence, and the raw error behind a disclosure. */
export function JobReason({ job }: { job: Pick<Job, 'reason' | 'last_error'> }) {
  if (!job.reason && !job.last_error) return null;
  return (
    <div className="job-reason">
      {job.reason && <span>{job.reason}</span>}
      {job.last_error && (
        <details>
          <summary>Technical details</summary>
          <code>{job.last_error}</code>
        </details>
      )}
    </div>
  );
}

/** Whether "try again" applies to a job in this status. */
export const canTryAgain = (status: Job['status']) => status === 'RETRYING' || status === 'FAILED' || status === 'CANCELLED';
