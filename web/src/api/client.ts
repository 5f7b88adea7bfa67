// The typed API client (openapi-fetch over the generated schema) and the
// glue that turns its results into values or ApiErrors for TanStack Query.
import createClient, { type Client } from 'openapi-fetch';
import { ApiError } from './problem';
import type { paths } from './schema';
import type { Problem } from './types';

/** The typed Atlas API client. */
export type ApiClient = Client<paths>;

/** What the client needs from the session: the current token and what to do when it stops working. */
export interface SessionHooks {
  /** The access token to send, or null when signed out. */
  token(): string | null;
  /** Called when the API answers 401 to a request that carried a token (expired or revoked). */
  onUnauthorized(): void;
}

/** Options for createApiClient; tests pass a fake fetch. */
export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
}

/** Builds the client: every request carries the bearer token, and a 401 on an authenticated request ends the session. */
export function createApiClient(session: SessionHooks, opts: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl ?? '',
    // Fetch lazily so tests that stub globalThis.fetch after creation still work.
    fetch: opts.fetch ?? ((req) => globalThis.fetch(req)),
  });
  client.use({
    onRequest({ request }) {
      const token = session.token();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('Authorization')) session.onUnauthorized();
      return response;
    },
  });
  return client;
}

/** The result shape of every openapi-fetch call. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Returns the data of a successful call or throws an ApiError carrying the problem.
 * Network failures become status 0.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, { title: 'Network error', detail: err instanceof Error ? err.message : String(err) });
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    throw new ApiError(response.status, toProblem(error, response));
  }
  return data as T;
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object') return error as Problem;
  return { title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: typeof error === 'string' ? error : undefined };
}
