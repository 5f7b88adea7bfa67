// The page a public link opens (/p/:token): a published collection's items, tags and search, for anyone, signed in or
// not. It asks search engines not to index it unless the owner allowed it (the API also says so in X-Robots-Tag).
import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { isStatus } from '../api/problem';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, Loading } from '../ui/States';
import { usePublicCollection, usePublicItems, usePublicTags } from './hooks';

export function PublicPage() {
  const { token = '' } = useParams();
  const collection = usePublicCollection(token);
  const tags = usePublicTags(token);
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const items = usePublicItems(token, q, tag);
  const indexable = collection.data?.indexable ?? false;

  useEffect(() => {
    if (indexable) return;
    const meta = document.createElement('meta');
    meta.name = 'robots';
    meta.content = 'noindex';
    document.head.appendChild(meta);
    return () => meta.remove();
  }, [indexable]);
  useEffect(() => {
    if (collection.data) document.title = `${collection.data.name} · Atlas`;
  }, [collection.data]);

  if (collection.isPending) return <Loading label="Loading…" />;
  if (collection.isError) {
    return (
      <main className="public-page">
        {isStatus(collection.error, 404) ? (
          <Empty title="This link does not work">
            <p>It may have expired or been revoked by the collection&apos;s owner.</p>
          </Empty>
        ) : (
          <ErrorState error={collection.error} retry={() => collection.refetch()} title="Could not load this page" />
        )}
      </main>
    );
  }
  const c = collection.data;
  const all = items.data?.pages.flatMap((p) => p.items ?? []) ?? [];

  function search(e: FormEvent) {
    e.preventDefault();
    setQ(draft.trim());
  }

  return (
    <main className="public-page">
      <header>
        <h1>{c.name}</h1>
        {c.description && <p>{c.description}</p>}
        <p className="muted small">
          A collection shared read-only through Atlas{c.expires_at ? `, until ${formatDateTime(c.expires_at)}` : ''}.{' '}
          <a href={c.feeds.atom}>Atom feed</a> · <a href={c.feeds.rss}>RSS</a> · <a href={c.feeds.json}>JSON Feed</a>
        </p>
      </header>
      <form role="search" onSubmit={search} className="row">
        <label className="grow">
          <span className="visually-hidden">Search this collection</span>
          <input type="search" placeholder="Search this collection" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {(tags.data?.items?.length ?? 0) > 0 && (
        <nav aria-label="Tags">
          <ul className="tags">
            {tags.data?.items?.map((t) => (
              <li key={t.name}>
                <button type="button" aria-pressed={tag === t.name} onClick={() => setTag(tag === t.name ? '' : t.name)}>
                  {t.name} ({t.item_count})
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {items.isPending ? (
        <Loading label="Loading items…" />
      ) : items.isError ? (
        <ErrorState error={items.error} retry={() => items.refetch()} title="Could not load the items" />
      ) : all.length === 0 ? (
        <Empty title={q ? 'Nothing matches' : 'No items yet'}>
          <p>{q ? 'Try fewer or other words, or clear the search to see every item.' : 'The people who share this collection have not added anything yet; come back later.'}</p>
        </Empty>
      ) : (
        <ul aria-label="Items" className="item-list">
          {all.map((it) => (
            <li key={it.id} className="item-row">
              <div className="item-main">
                <h2>{it.source_url ? <a href={it.source_url}>{it.title}</a> : it.title}</h2>
                {it.description && <p className="card-text">{it.description}</p>}
                {(it.tags ?? []).length > 0 && <p className="muted small">{(it.tags ?? []).join(' · ')}</p>}
              </div>
              <span className="muted small">{formatDateTime(it.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {items.hasNextPage && (
        <button type="button" onClick={() => void items.fetchNextPage()} disabled={items.isFetchingNextPage}>
          {items.isFetchingNextPage ? 'Loading…' : 'More'}
        </button>
      )}
    </main>
  );
}
