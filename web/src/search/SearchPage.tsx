// Full-text search across your collections: query, collection and tag
// filters, sort, highlighted snippets, and paging.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { SearchOrder, SearchSort } from '../api/types';
import { normaliseTags } from '../items/tags';
import { useCollections } from '../collections/hooks';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { Highlight } from './highlight';
import { useSearch } from './hooks';

const sorts: { value: SearchSort | ''; label: string }[] = [
  { value: '', label: 'Best match (or newest without words)' },
  { value: 'relevance', label: 'Relevance' },
  { value: 'created_at', label: 'Created' },
  { value: 'updated_at', label: 'Last changed' },
  { value: 'title', label: 'Title' },
];
const orders: readonly SearchOrder[] = ['asc', 'desc'];

/** What a highlighted field is called next to its snippet. */
const fieldLabels: Record<string, string> = { content: 'in the page', description: 'description', notes: 'notes' };

/** "12 results", or "10000+ results" when the server stopped counting. */
export function resultCount(total: { value: number; relation: 'eq' | 'gte' } | undefined, shown: number): string {
  if (!total) return `${shown} results`;
  const n = total.value.toLocaleString('en');
  if (total.relation === 'gte') return `${n}+ results`;
  return `${n} result${total.value === 1 ? '' : 's'}`;
}

/** Comma-separated tags → normalised list (the API wants every tag as its own parameter). */
export function parseTags(s: string): string[] {
  return normaliseTags(s.split(','));
}

export function SearchPage() {
  const collections = useCollections();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const collectionId = params.get('collection_id') ?? '';
  const tags = params.get('tags') ?? '';
  const sort = sorts.find((x) => x.value !== '' && x.value === params.get('sort'))?.value || undefined;
  const order = orders.find((o) => o === params.get('order'));
  const [draft, setDraft] = useState({ q, tags });

  const results = useSearch({ q, collectionId, tags: parseTags(tags), sort, order });

  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    update({ q: draft.q.trim(), tags: draft.tags.trim() });
  }

  const hits = results.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const first = results.data?.pages[0];
  const total = first?.total;
  const names = new Map((collections.data?.pages.flatMap((p) => p.items ?? []) ?? []).map((c) => [c.id, c.name]));

  return (
    <>
      <PageHeader
        title="Search"
        subtitle={
          'Find items in every collection you belong to, and search inside pages: the text of the pages your links point to is searched too. ' +
          'Every word must match (small typos are forgiven); put "words in quotes" for an exact phrase and -word to leave out items containing it.'
        }
      />
      <form role="search" className="search-form" onSubmit={submit}>
        <div className="row">
          <label className="grow">
            Search for
            <input type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder="Words in titles, notes, tags, links or page text" />
          </label>
          <button type="submit" className="primary">
            Search
          </button>
        </div>
        <div className="row filters">
          <label>
            Collection
            <select value={collectionId} onChange={(e) => update({ collection_id: e.target.value })}>
              <option value="">All collections</option>
              {[...names].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tags (comma-separated, all must match)
            <input value={draft.tags} onChange={(e) => setDraft({ ...draft, tags: e.target.value })} />
          </label>
          <label>
            Sort by
            <select value={sort ?? ''} onChange={(e) => update({ sort: e.target.value })}>
              {sorts.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Order
            <select value={order ?? ''} onChange={(e) => update({ order: e.target.value })}>
              <option value="">Default</option>
              <option value="desc">Descending (newest, Z–A)</option>
              <option value="asc">Ascending (oldest, A–Z)</option>
            </select>
          </label>
        </div>
      </form>
      {results.isPending ? (
        <Loading label="Searching…" />
      ) : results.isError ? (
        <ErrorState error={results.error} retry={() => results.refetch()} title="Search failed" />
      ) : hits.length === 0 ? (
        <Empty title="Nothing found">
          <p>Try fewer words or remove a filter. Items added in the last few seconds may still be indexing…</p>
        </Empty>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {resultCount(total, hits.length)}
            {first?.match === 'any' ? ' with some of the words (no item has them all)' : ''}. Items changed in the last seconds may
            still be indexing.
          </p>
          <ol className="item-list" aria-label="Search results">
            {hits.map((hit) => {
              const fragments = Object.entries(hit.highlights ?? {}).flatMap(([field, frags]) =>
                field === 'title' ? [] : (frags ?? []).map((f) => ({ field, f })),
              );
              const titleFrag = hit.highlights?.title?.[0];
              return (
                <li key={hit.id} className="item-row">
                  <div className="item-main">
                    <h3>
                      <Link to={`/items/${hit.id}`}>{titleFrag ? <Highlight fragment={titleFrag} /> : hit.title}</Link>
                    </h3>
                    {names.has(hit.collection_id) && <p className="muted small">in {names.get(hit.collection_id)}</p>}
                    {fragments.slice(0, 3).map(({ field, f }, j) => (
                      <p key={j} className="snippet">
                        <span className="muted small">{fieldLabels[field] ?? field}: </span>
                        <Highlight fragment={f} />
                      </p>
                    ))}
                    {fragments.length === 0 && hit.description && <p className="card-text">{hit.description}</p>}
                    {(hit.tags ?? []).length > 0 && (
                      <ul className="chips" aria-label="Tags">
                        {(hit.tags ?? []).map((t) => (
                          <li key={t} className="chip">
                            {t}
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
          {results.hasNextPage && (
            <button type="button" onClick={() => results.fetchNextPage()} disabled={results.isFetchingNextPage}>
              More results
            </button>
          )}
        </>
      )}
    </>
  );
}
