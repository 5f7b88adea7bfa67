// The extension's side of Atlas: the API client (the dashboard's, over the
// same generated types), reading a tab, saving it, and what to tell the
// person when something goes wrong.
import { createApiClient, unwrap, type ApiClient } from '../../web/src/api/client';
import { ApiError, describeProblem } from '../../web/src/api/problem';
import type { Collection, Item } from '../../web/src/api/types';
import { notesWithQuote } from '../../web/src/capture/share';
import { selectedText, serialisePage } from './page';
import type { Settings } from './settings';

/** How many bytes of images serialisePage may inline (the server caps the whole page). */
const imageBudget = 8 << 20;

/** A client signed in with the extension's token. */
export function client(s: Settings): ApiClient {
  return createApiClient({ token: () => s.token, onUnauthorized: () => undefined }, { baseUrl: s.server });
}

/** The collections the token's owner may save to, the one used last first. */
export async function writableCollections(api: ApiClient, last: string): Promise<Collection[]> {
  const page = await unwrap(api.GET('/api/v1/collections', { params: { query: { limit: 100 } } }));
  const all = (page.items ?? []).filter((c) => c.permissions.write_items);
  return [...all.filter((c) => c.id === last), ...all.filter((c) => c.id !== last)];
}

/** The names of a collection's tags, for completion. */
export async function tagNames(api: ApiClient, collectionId: string): Promise<string[]> {
  const page = await unwrap(api.GET('/api/v1/collections/{id}/tags', { params: { path: { id: collectionId }, query: { limit: 100 } } }));
  return (page.items ?? []).map((t) => t.name);
}

/** Where a link is saved already (items in collections the person may read). */
export async function savedAs(api: ApiClient, url: string) {
  if (!/^https?:/i.test(url)) return [];
  const found = await unwrap(api.GET('/api/v1/items/by-url', { params: { query: { url } } }));
  return found.items ?? [];
}

/** The text selected in a tab ('' where the extension may not run, e.g. the browser's own pages). */
export async function tabSelection(tabId: number): Promise<string> {
  try {
    const [r] = await chrome.scripting.executeScript({ target: { tabId }, func: selectedText });
    return r?.result ?? '';
  } catch {
    return '';
  }
}

/** What to save. */
export interface SaveRequest {
  collectionId: string;
  url: string;
  title: string;
  tags: string[];
  note: string;
  quote: string;
  /** Send the page as the tab shows it as the item's archived copy. */
  keepCopy: boolean;
  tabId?: number;
}

/** What a save did: the item, and whether the copy was kept (or why not). */
export interface SaveResult {
  item: Item;
  copy: 'kept' | 'skipped' | { failed: string };
}

/** Saves a page: the item first (it is what matters), then the copy of the page as shown. */
export async function save(api: ApiClient, r: SaveRequest): Promise<SaveResult> {
  const item = await unwrap(
    api.POST('/api/v1/collections/{id}/items', {
      params: { path: { id: r.collectionId } },
      body: { title: r.title || r.url, source_url: r.url, notes: notesWithQuote(r.quote, r.note), tags: r.tags },
    }),
  );
  if (!r.keepCopy || r.tabId === undefined) return { item, copy: 'skipped' };
  try {
    const [res] = await chrome.scripting.executeScript({ target: { tabId: r.tabId }, func: serialisePage, args: [imageBudget] });
    if (!res?.result) return { item, copy: { failed: 'the page could not be read' } };
    await unwrap(
      api.PUT('/api/v1/items/{id}/archive/capture', {
        params: { path: { id: item.id } },
        body: res.result,
        bodySerializer: (b: string) => b,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      }),
    );
    return { item, copy: 'kept' };
  } catch (err) {
    return { item, copy: { failed: explain(err) } };
  }
}

/** One sentence on what went wrong and what to do. */
export function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  switch (err.status) {
    case 0:
      return navigator.onLine
        ? 'Atlas cannot be reached: check the server address in the options, or try again later.'
        : 'You are offline: connect to the network and try again.';
    case 401:
      return 'Your token no longer works (revoked or expired): sign in again with a new token in the options.';
    case 403:
      return `Not allowed: ${err.problem.detail ?? 'this token or your role cannot save here'}. Use a read-and-write token, or pick a collection you edit.`;
    case 413:
      return `The page is too large to keep a copy (${err.problem.detail ?? 'over the server\u2019s limit'}); Atlas keeps its own copy instead.`;
    default:
      return describeProblem(err);
  }
}

/** Splits "a, b ,c" into tag names. */
export function splitTags(raw: string): string[] {
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The dashboard's page of an item. */
export function itemURL(s: Settings, itemId: string): string {
  return `${s.server}/items/${itemId}`;
}
