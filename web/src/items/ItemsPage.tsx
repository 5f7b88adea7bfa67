// A collection's items as cards or a compact list (the choice is
// remembered): filter by tags, quick add a link, select many (checkboxes,
// shift-click ranges, select all matching, j/k/x from the keyboard) for bulk
// actions with undo. The list is virtualised and loads the next page as its
// end comes into view ("Show more" does the same by hand).
import { useCallback, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { describeProblem } from '../api/problem';
import type { Item } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { ConfirmDialog } from '../ui/Dialog';
import { Empty, ErrorState, Loading } from '../ui/States';
import { BulkBar } from './BulkBar';
import { bulkLimit, useBulkRestore } from './bulkHooks';
import { useDeleteItem, useItems, useTags } from './hooks';
import { ItemCard } from './ItemCard';
import { QuickAdd } from './QuickAdd';
import { clickSelect } from './selection';
import { useListKeys } from './useListKeys';
import { VirtualItems } from './VirtualItems';

type View = 'cards' | 'list';
const viewKey = 'atlas.items.view';

function savedView(): View {
  try {
    return localStorage.getItem(viewKey) === 'list' ? 'list' : 'cards';
  } catch {
    return 'cards';
  }
}

export function ItemsPage() {
  const collection = useCurrentCollection();
  const [params, setParams] = useSearchParams();
  const filterTags = params.getAll('tag');
  const items = useItems(collection.id, filterTags);
  const tags = useTags(collection.id);
  const remove = useDeleteItem(collection.id);
  const restore = useBulkRestore();
  const [deleting, setDeleting] = useState<Item | null>(null);
  const [view, setView] = useState<View>(savedView);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<string | null>(null);
  const [undo, setUndo] = useState<{ token: string; count: number } | null>(null);
  const editable = collection.permissions.write_items;

  const all = items.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const ids = all.map((it) => it.id);
  const chosen = ids.filter((id) => selected.has(id));
  const toggleOne = (id: string) => setSelected((s) => clickSelect(ids, s, id, null, false));
  const focused = useListKeys(ids, editable ? toggleOne : undefined);
  const { fetchNextPage } = items;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const [selectingAll, setSelectingAll] = useState(false);

  /** Selects every item the list shows (the filter's matches), loading the pages not loaded yet, up to what one bulk request takes. */
  async function selectAllMatching() {
    setSelectingAll(true);
    try {
      let r = items;
      while (r.hasNextPage && (r.data?.pages ?? []).reduce((n, p) => n + (p.items ?? []).length, 0) < bulkLimit) {
        r = await r.fetchNextPage();
        if (r.isFetchNextPageError) break;
      }
      const every = (r.data?.pages ?? []).flatMap((p) => p.items ?? []).map((it) => it.id);
      setSelected(new Set(every.slice(0, bulkLimit)));
    } finally {
      setSelectingAll(false);
    }
  }

  function choose(v: View) {
    setView(v);
    try {
      localStorage.setItem(viewKey, v);
    } catch {
      // Storage may be off; the choice then lasts for this page only.
    }
  }

  function toggleTag(tag: string) {
    const next = new URLSearchParams(params);
    next.delete('tag');
    const set = filterTags.includes(tag) ? filterTags.filter((t) => t !== tag) : [...filterTags, tag];
    set.forEach((t) => next.append('tag', t));
    setParams(next, { replace: true });
  }
  // The cards' checkbox handler stays the same function while the list grows,
  // so that a memoised card renders again only when its own props change.
  const latest = useRef({ ids, anchor });
  useLayoutEffect(() => {
    latest.current = { ids, anchor };
  });
  const onSelect = useCallback((id: string, e: MouseEvent<HTMLInputElement>) => {
    const { ids, anchor } = latest.current;
    setSelected((s) => clickSelect(ids, s, id, anchor, e.shiftKey));
    setAnchor(id);
  }, []);

  return (
    <section aria-labelledby="items-heading">
      <div className="section-head">
        <h2 id="items-heading">Items</h2>
        <div className="actions">
          <div className="view-switch" role="group" aria-label="Show items as">
            <button type="button" aria-pressed={view === 'cards'} onClick={() => choose('cards')}>
              Cards
            </button>
            <button type="button" aria-pressed={view === 'list'} onClick={() => choose('list')}>
              List
            </button>
          </div>
          {editable && (
            <Link className="button primary" to={`/collections/${collection.id}/items/new`}>
              New item
            </Link>
          )}
        </div>
      </div>
      {editable ? (
        <QuickAdd collectionId={collection.id} />
      ) : (
        <p className="muted">You can read this collection; only owners and editors change its items.</p>
      )}

      {undo && (
        <div className="notice undo" role="status">
          Deleted {undo.count} item{undo.count === 1 ? '' : 's'}.{' '}
          <button type="button" onClick={() => restore.mutate({ undo_token: undo.token }, { onSuccess: () => setUndo(null) })} disabled={restore.isPending}>
            Undo
          </button>{' '}
          <button type="button" className="link" onClick={() => setUndo(null)}>
            Dismiss
          </button>
          {restore.error ? <span className="error-text"> {describeProblem(restore.error)}</span> : null}
        </div>
      )}

      {tags.data && tags.data.length > 0 && (
        <div className="tag-filter" role="group" aria-label="Filter by tag">
          <span className="muted">Filter by tag:</span>
          {tags.data.map((t) => (
            <button key={t.name} type="button" className="chip-toggle" aria-pressed={filterTags.includes(t.name)} onClick={() => toggleTag(t.name)}>
              {t.name} <span className="count">{t.item_count}</span>
            </button>
          ))}
          {filterTags.length > 0 && (
            <button type="button" className="link" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filter
            </button>
          )}
        </div>
      )}

      {editable && chosen.length > 0 && (
        <BulkBar
          collectionId={collection.id}
          selected={chosen}
          total={all.length}
          more={items.hasNextPage}
          selectingAll={selectingAll}
          onSelectAll={() => void selectAllMatching()}
          onClear={() => setSelected(new Set())}
          onDeleted={(token, count) => {
            setSelected(new Set());
            setUndo({ token, count });
          }}
        />
      )}

      {items.isPending || tags.isPending ? (
        <Loading label="Loading items…" />
      ) : items.isError && !items.isFetchNextPageError ? (
        <ErrorState error={items.error} retry={() => items.refetch()} title="Could not load the items" />
      ) : all.length === 0 ? (
        filterTags.length > 0 ? (
          <Empty title="No items carry all of these tags">
            <p>Remove a tag from the filter to see more.</p>
          </Empty>
        ) : (
          <Empty title="No items yet">
            <p>{editable ? 'Paste a link above to save it, or add a note with “New item”.' : 'Items appear here when owners or editors add them.'}</p>
          </Empty>
        )
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {all.length} item{all.length === 1 ? '' : 's'}
            {filterTags.length > 0 ? ` tagged ${filterTags.join(' + ')}` : ''}
            {items.hasNextPage ? ' (more available)' : ''}.{' '}
            {editable && chosen.length === 0 && (
              <button type="button" className="link" onClick={() => void selectAllMatching()} disabled={selectingAll}>
                {items.hasNextPage ? 'Select all matching' : 'Select all'}
              </button>
            )}
          </p>
          <VirtualItems
            items={all}
            view={view}
            focused={focused}
            hasMore={items.hasNextPage && !items.isFetchNextPageError}
            loadingMore={items.isFetchingNextPage}
            loadMore={loadMore}
            renderItem={(it, place) => (
              <ItemCard
                key={it.id}
                item={it}
                row={place.row}
                measure={place.measure}
                selectable={editable}
                selected={selected.has(it.id)}
                focused={focused === it.id}
                onSelect={onSelect}
                onDelete={editable ? setDeleting : undefined}
              />
            )}
          />
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
