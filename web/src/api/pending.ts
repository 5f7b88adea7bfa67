// Endpoints that other engineers are still building (search). Their shapes
// are NOT in the generated schema yet, so this file declares the minimum the
// pages read, from the issue that specifies them.
//
// TODO(api-types): once `atlas openapi` documents /api/v1/search/items, run
// `./scripts/web gen`, replace these interfaces with aliases of the generated
// ones (in types.ts) and call the route through the typed client; then delete
// this file. (Jobs and audit went this way already.)
import { ApiError } from './problem';
import type { ApiClientOptions, SessionHooks } from './client';
import type { Item } from './types';

/** A page of any list endpoint. */
export interface Page<T> {
  items: T[] | null;
  next_cursor: string | null;
}

/** TODO(api-types): one search hit; the item may be nested or flattened into the hit. */
export interface SearchHit extends Partial<Item> {
  item?: Item;
  id?: string;
  score?: number;
  /** Field → HTML-escaped fragments with matches wrapped in <mark>…</mark>. */
  highlights?: Record<string, string[]> | null;
  index_status?: string;
}

/** TODO(api-types): a search answer. */
export interface SearchPage extends Page<SearchHit> {
  total?: number;
}

type Query = Record<string, string | number | readonly string[] | undefined | null>;

/** Untyped access to the pending endpoints, with the same token and 401 handling as the typed client. */
export interface PendingApi {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** Builds the untyped client for the pending endpoints. */
export function createPendingApi(session: SessionHooks, opts: ApiClientOptions = {}): PendingApi {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((req: Request) => globalThis.fetch(req));

  async function send<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
      else qs.set(k, String(v));
    }
    const url = `${base}${path}${qs.size > 0 ? `?${qs}` : ''}`;
    const headers = new Headers({ Accept: 'application/json' });
    const token = session.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (body !== undefined) headers.set('Content-Type', 'application/json');
    let res: Response;
    try {
      res = await doFetch(new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
    } catch (err) {
      throw new ApiError(0, { title: 'Network error', detail: err instanceof Error ? err.message : String(err) });
    }
    if (res.status === 401 && token) session.onUnauthorized();
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML error page, say): fall back to the text below.
    }
    if (!res.ok) {
      const problem = parsed && typeof parsed === 'object' ? parsed : { title: res.statusText, detail: text.slice(0, 200) };
      throw new ApiError(res.status, problem);
    }
    return parsed as T;
  }

  return {
    get: (path, query) => send('GET', path, query),
    post: (path, body) => send('POST', path, undefined, body),
  };
}

/** The item inside a search hit, whichever way the API nests it. */
export function hitItem(hit: SearchHit): Partial<Item> & { id?: string } {
  return hit.item ?? hit;
}
