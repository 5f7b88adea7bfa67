// A collection's items: filter by tags (all must match), page with "Show more",
// and, for owners and editors, add and delete.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { describeProblem } from '../api/problem';
import type { Item } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { ConfirmDialog } from '../ui/Dialog';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, Loading } from '../ui/States';
import { useDeleteItem, useItems, useTags } from './hooks';
import { IndexBadge } from './IndexBadge';
import { LinkBadge } from './LinkBadge';

export function ItemsPage() {
  const collection = useCurrentCollection();
  const [params, setParams] = useSearchParams();
  const selected = params.getAll('tag');
  const items = useItems(collection.id, selected);
  const tags = useTags(collection.id);
  const remove = useDeleteItem(collection.id);
  const [deleting, setDeleting] = useState<Item | null>(null);
  const editable = collection.permissions.write_items;

  function toggle(tag: string) {
    const next = new URLSearchParams(params);
    next.delete('tag');
    const set = selected.includes(tag) ? selected.filter((t) => t !== tag) : [...selected, tag];
    set.forEach((t) => next.append('tag', t));
    setParams(next, { replace: true });
  }

  const all = items.data?.pages.flatMap((p) => p.items ?? []) ?? [];

  return (
    <section aria-labelledby="items-heading">
      <div className="section-head">
        <h2 id="items-heading">Items</h2>
        {editable ? (
          <Link className="button primary" to={`/collections/${collection.id}/items/new`}>
            New item
          </Link>
        ) : (
          <p className="muted">You can read this collection; only owners and editors change its items.</p>
        )}
      </div>

      {tags.data && tags.data.length > 0 && (
        <div className="tag-filter" role="group" aria-label="Filter by tag">
          <span className="muted">Filter by tag:</span>
          {tags.data.map((t) => (
            <button
              key={t.name}
              type="button"
              className="chip-toggle"
              aria-pressed={selected.includes(t.name)}
              onClick={() => toggle(t.name)}
            >
              {t.name} <span className="count">{t.item_count}</span>
            </button>
          ))}
          {selected.length > 0 && (
            <button type="button" className="link" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filter
            </button>
          )}
        </div>
      )}

      {items.isPending ? (
        <Loading label="Loading items…" />
      ) : items.isError && !items.isFetchNextPageError ? (
        <ErrorState error={items.error} retry={() => items.refetch()} title="Could not load the items" />
      ) : all.length === 0 ? (
        selected.length > 0 ? (
          <Empty title="No items carry all of these tags">
            <p>Remove a tag from the filter to see more.</p>
          </Empty>
        ) : (
          <Empty title="No items yet">
            <p>{editable ? 'Add the first link or note with “New item”.' : 'Items appear here when owners or editors add them.'}</p>
          </Empty>
        )
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {all.length} item{all.length === 1 ? '' : 's'}
            {selected.length > 0 ? ` tagged ${selected.join(' + ')}` : ''}
            {items.hasNextPage ? ' (more available)' : ''}.
          </p>
          <ul className="item-list" aria-label="Items">
            {all.map((it) => (
              <li key={it.id} className="item-row">
                <div className="item-main">
                  <h3>
                    <Link to={`/items/${it.id}`}>{it.title}</Link>
                    <IndexBadge status={it.index_status} />
                    <LinkBadge link={it.link} />
                  </h3>
                  {it.source_url && <p className="url">{hostOf(it.source_url)}</p>}
                  {it.description && <p className="card-text">{it.description}</p>}
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
                <div className="item-side">
                  <span className="muted small">Updated {formatDateTime(it.updated_at)}</span>
                  {editable && (
                    <div className="card-actions">
                      <Link to={`/items/${it.id}?edit=1`} aria-label={`Edit ${it.title}`}>
                        Edit
                      </Link>
                      <button type="button" className="danger-link" onClick={() => setDeleting(it)} aria-label={`Delete ${it.title}`}>
                        Delete
                      </button>
                    </div>
                  )}
                </div>
              </li>
            ))}
          </ul>
          {items.hasNextPage && (
            <button type="button" onClick={() => items.fetchNextPage()} disabled={items.isFetchingNextPage}>
              {items.isFetchingNextPage ? 'Loading more…' : 'Show more items'}
            </button>
          )}
          {items.isFetchNextPageError && <ErrorState error={items.error} title="Could not load more items" />}
        </>
      )}

      <ConfirmDialog
        open={deleting !== null}
        title="Delete item?"
        message={deleting ? `“${deleting.title}” will be deleted for every member of this collection.` : ''}
        confirmLabel="Delete item"
        busy={remove.isPending}
        error={remove.error ? describeProblem(remove.error) : null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </section>
  );
}

/** "go.dev" from "https://go.dev/ref/mem". */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
