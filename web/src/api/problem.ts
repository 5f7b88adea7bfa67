// ApiError carries an RFC 9457 problem from the API; describeProblem turns it
// into a sentence a person understands.
import type { Problem } from './types';

/** A failed API call: the HTTP status (0 when the server could not be reached) and its problem body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** Whether err is an ApiError with one of the given statuses. */
export function isStatus(err: unknown, ...statuses: number[]): err is ApiError {
  return err instanceof ApiError && statuses.includes(err.status);
}

/** Turns "body.display_name" or "query.tag[2]" into "Display name". */
export function fieldLabel(location: string | undefined): string {
  if (!location) return '';
  const last = location.split('.').pop() ?? location;
  const name = last.replace(/\[\d+\]$/, '').replace(/_/g, ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Rewrites validator jargon ("expected length >= 10") into plain words. */
export function plainMessage(message: string | undefined): string {
  if (!message) return 'is not valid';
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/expected length >= (\d+)/, (m) => `must be at least ${m[1]} characters`],
    [/expected length <= (\d+)/, (m) => `must be at most ${m[1]} characters`],
    [/expected number of items <= (\d+)/, (m) => `can have at most ${m[1]} entries`],
    [/expected required property (\w+) to be present/, (m) => `needs ${fieldLabel(m[1]).toLowerCase()}`],
    [/expected value to be one of "?([^"]+)"?/, (m) => `must be one of: ${m[1]}`],
  ];
  for (const [re, say] of rules) {
    const m = message.match(re);
    if (m) return say(m);
  }
  return message;
}

/** Field-level messages of a 422 answer, keyed by the field's name (e.g. "password"). */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of err.problem.errors ?? []) {
    const key = (e.location ?? '').split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
    if (key && !(key in out)) out[key] = `${fieldLabel(e.location)} ${plainMessage(e.message)}.`;
  }
  return out;
}

/** One or two sentences that say what went wrong and what to do about it. */
export function describeProblem(err: unknown): string {
  if (!(err instanceof ApiError)) {
    return err instanceof Error && err.message ? `Something went wrong: ${err.message}` : 'Something went wrong.';
  }
  const detail = err.problem.detail?.trim();
  switch (err.status) {
    case 0:
      return 'Atlas could not be reached. Check your connection and try again.';
    case 401:
      return 'Your session has ended. Please sign in again.';
    case 403:
      return 'You do not have permission to do this. Ask an owner of the collection for a higher role.';
    case 404:
      return 'This was not found. It may have been deleted, or you may not have access to it.';
    case 409:
      return detail ? `${sentence(detail)} (conflict)` : 'This conflicts with the current state. Reload and try again.';
    case 400:
    case 422: {
      const fields = Object.values(fieldErrors(err));
      if (fields.length > 0) return `Please check the form: ${fields.join(' ')}`;
      return detail ? `Please check the form: ${sentence(detail)}` : 'The request was not accepted. Please check the form.';
    }
    case 429:
      return 'Too many requests. Wait a moment and try again.';
    default:
      if (err.status >= 500) {
        return 'Something went wrong on the server. Try again in a moment; if it keeps happening, tell your administrator.';
      }
      return detail ? sentence(detail) : `The request failed (HTTP ${err.status}).`;
  }
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
