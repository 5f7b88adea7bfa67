// The three states every request has besides success: loading, empty and error.
import type { ReactNode } from 'react';
import { describeProblem, isStatus } from '../api/problem';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** Shows what went wrong in plain words, with a retry button when one can help. */
export function ErrorState({ error, retry, title = 'Could not load this' }: { error: unknown; retry?: () => void; title?: string }) {
  const retryable = !isStatus(error, 401, 403, 404, 422);
  return (
    <div className="state error" role="alert">
      <p className="state-title">{title}</p>
      <p>{describeProblem(error)}</p>
      {retry && retryable && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** An inline error under a form. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error-text" role="alert">
      {describeProblem(error)}
    </p>
  );
}
