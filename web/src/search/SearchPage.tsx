// Full-text search across your collections: query, collection and tag
// filters, sort, highlighted snippets, and paging.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { isStatus } from '../api/problem';
import { hitItem, type SearchPage as SearchAnswer } from '../api/pending';
import { useSession } from '../auth/session';
import { useCollections } from '../collections/hooks';
import { IndexBadge } from '../items/IndexBadge';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading, NotAvailable } from '../ui/States';
import { Highlight } from './highlight';

const sorts = [
  { value: '', label: 'Relevance' },
  { value: 'created_at', label: 'Created' },
  { value: 'updated_at', label: 'Last changed' },
  { value: 'title', label: 'Title' },
];

export function SearchPage() {
  const { pending } = useSession();
  const collections = useCollections();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const collectionId = params.get('collection_id') ?? '';
  const tags = params.get('tags') ?? '';
  const sort = params.get('sort') ?? '';
  const order = params.get('order') ?? '';
  const [draft, setDraft] = useState({ q, tags });
  const active = q !== '' || tags !== '' || collectionId !== '';

  const results = useInfiniteQuery({
    queryKey: ['search', q, collectionId, tags, sort, order],
    enabled: active,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      pending.get<SearchAnswer>('/api/v1/search/items', {
        q,
        collection_id: collectionId,
        tags: tags
          .split(',')
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean),
        sort,
        order,
        cursor: pageParam,
        limit: 20,
      }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: false,
  });

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
  const total = results.data?.pages[0]?.total;
  const names = new Map((collections.data?.pages.flatMap((p) => p.items ?? []) ?? []).map((c) => [c.id, c.name]));

  return (
    <>
      <PageHeader title="Search" subtitle="Find items in every collection you belong to. Small typos are forgiven." />
      {isStatus(results.error, 404) && !collectionId ? (
        <NotAvailable feature="Search" />
      ) : (
        <>
          <form role="search" className="search-form" onSubmit={submit}>
            <div className="row">
              <label className="grow">
                Search for
                <input type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder="Words in titles, notes, tags or links" />
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
                <select value={sort} onChange={(e) => update({ sort: e.target.value })}>
                  {sorts.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Order
                <select value={order} onChange={(e) => update({ order: e.target.value })}>
                  <option value="">Default</option>
                  <option value="desc">Newest / Z first</option>
                  <option value="asc">Oldest / A first</option>
                </select>
              </label>
            </div>
          </form>
          {!active ? (
            <Empty title="Type something to search">
              <p>Items you just added may take a few seconds to appear while they are indexed.</p>
            </Empty>
          ) : results.isPending ? (
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
                {total !== undefined ? `${total} result${total === 1 ? '' : 's'}` : `${hits.length} results`}
              </p>
              <ol className="item-list" aria-label="Search results">
                {hits.map((hit, i) => {
                  const it = hitItem(hit);
                  const id = it.id ?? hit.id ?? String(i);
                  const fragments = Object.entries(hit.highlights ?? {}).flatMap(([field, frags]) =>
                    field === 'title' ? [] : frags.map((f) => ({ field, f })),
                  );
                  const titleFrag = hit.highlights?.title?.[0];
                  return (
                    <li key={id} className="item-row">
                      <div className="item-main">
                        <h3>
                          <Link to={`/items/${id}`}>{titleFrag ? <Highlight fragment={titleFrag} /> : it.title}</Link>
                          <IndexBadge item={{ index_status: hit.index_status ?? (it as { index_status?: string }).index_status }} />
                        </h3>
                        {it.collection_id && names.has(it.collection_id) && <p className="muted small">in {names.get(it.collection_id)}</p>}
                        {fragments.slice(0, 3).map(({ field, f }, j) => (
                          <p key={j} className="snippet">
                            <span className="muted small">{field}: </span>
                            <Highlight fragment={f} />
                          </p>
                        ))}
                        {fragments.length === 0 && it.description && <p className="card-text">{it.description}</p>}
                        {(it.tags ?? []).length > 0 && (
                          <ul className="chips" aria-label="Tags">
                            {(it.tags ?? []).map((t) => (
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
      )}
    </>
  );
}
