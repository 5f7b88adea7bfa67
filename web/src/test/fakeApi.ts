// A fake Atlas API for component tests: routes like "GET /api/v1/items/:id"
// map to handlers; every request is recorded. Login and /auth/me answer by
// default so tests can sign in through the real login page; refresh answers
// 401 (no session cookie) unless a test replaces it.
import type { Collection, Item, Member, Permissions, Role, Team, TeamMember, User } from '../api/types';

export type Handler = (ctx: { req: Request; url: URL; params: Record<string, string>; body: unknown }) => Response | Promise<Response>;

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  auth: string | null;
}

export function json(status: number, body: unknown): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

export function problem(status: number, detail: string, errors?: { location: string; message: string }[]): Response {
  const titles: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 500: 'Internal Server Error' };
  return json(status, { title: titles[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) });
}

export const me: User = { id: 'u-owner', email: 'ada@example.com', display_name: 'Ada Lovelace', created_at: '2026-01-01T10:00:00Z' };

/** The permissions the server sends with each role (fixture data: the app itself never derives them). */
const permissionsOf: Record<Role, Permissions> = {
  owner: { read: true, write_items: true, manage: true },
  editor: { read: true, write_items: true, manage: false },
  viewer: { read: true, write_items: false, manage: false },
};

export function collection(over: Partial<Collection> = {}): Collection {
  const role = over.role ?? 'owner';
  return {
    id: 'c1',
    name: 'Reading list',
    description: '',
    role,
    permissions: permissionsOf[role],
    created_by: me.id,
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

export function item(over: Partial<Item> = {}): Item {
  return {
    id: 'i1',
    collection_id: 'c1',
    title: 'The Go Memory Model',
    source_url: 'https://go.dev/ref/mem',
    description: '',
    notes: '',
    tags: ['go'],
    metadata_json: {},
    created_by: me.id,
    version: 1,
    index_status: 'indexed',
    enrichment: 'done',
    page_text: { status: 'none', size_bytes: 0, truncated: false, language: '', skip_reason: '', extracted_at: null },
    link: { status: 'ok', http_status: 200, moved_to: null, soft_404: false, detail: '', checked_at: null, changed_at: null },
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

export function member(over: Partial<Member> = {}): Member {
  return {
    kind: 'user',
    user_id: me.id,
    email: me.email,
    display_name: me.display_name,
    team_id: null,
    team_name: '',
    role: 'owner',
    joined_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

/** A team as a collection member. */
export function teamMember(over: Partial<Member> = {}): Member {
  return member({ kind: 'team', user_id: null, email: '', display_name: '', team_id: 't1', team_name: 'Platform', role: 'viewer', ...over });
}

/** A team the signed-in user owns. */
export function team(over: Partial<Team> = {}): Team {
  return {
    id: 't1',
    name: 'Platform',
    role: 'owner',
    can_manage: true,
    member_count: 1,
    created_by: me.id,
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

/** A member of a team (the signed-in user, an owner, unless over says otherwise). */
export function teamUser(over: Partial<TeamMember> = {}): TeamMember {
  return {
    user_id: me.id,
    email: me.email,
    display_name: me.display_name,
    role: 'owner',
    joined_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

export function page<T>(items: T[], next: string | null = null) {
  return { items, next_cursor: next };
}

export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const all: Record<string, Handler> = {
    'POST /api/v1/auth/login': ({ body }) =>
      (body as { password?: string }).password === 'correct horse battery'
        ? json(200, { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 })
        : problem(401, 'invalid email or password'),
    'GET /api/v1/auth/me': () => json(200, me),
    // No session cookie unless a test says otherwise.
    'POST /api/v1/auth/refresh': () => problem(401, 'the session has ended: sign in again'),
    'POST /api/v1/auth/logout': () => json(204, null),
    ...routes,
  };
  const compiled = Object.entries(all).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const names: string[] = [];
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
    return { method, re, names, handler };
  });

  async function fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: req.method, path: url.pathname, query: url.searchParams, body, auth: req.headers.get('Authorization') });
    for (const r of compiled) {
      const m = r.method === req.method ? url.pathname.match(r.re) : null;
      if (!m) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      return r.handler({ req, url, params, body });
    }
    return problem(404, `No API route matches ${req.method} ${url.pathname}.`);
  }

  return { fetch, calls, callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}
