// A collection's links that need attention: moved (with the new address to
// adopt), dead, failing or unreachable, each with what the last check saw
// and when.
import { Link } from 'react-router';
import { describeProblem, isStatus } from '../api/problem';
import type { Item } from '../api/types';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { displayTitle } from '../items/ItemCard';
import { formatDateTime } from '../ui/format';
import { Empty, ErrorState, Loading } from '../ui/States';
import { useAttentionItems, useUseMovedURL } from './hooks';
import { linkDetail, linkStatusLabel } from './labels';

export function NeedsAttentionPage() {
  const collection = useCurrentCollection();
  const items = useAttentionItems(collection.id);
  const all = items.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <section aria-labelledby="attention-heading">
      <h2 id="attention-heading">Needs attention</h2>
      <p className="muted">Links the checker found moved, dead, failing or unreachable on two checks in a row.</p>
      {items.isPending ? (
        <Loading label="Loading links…" />
      ) : items.isError ? (
        <ErrorState error={items.error} retry={() => items.refetch()} title="Could not load the links" />
      ) : all.length === 0 ? (
        <Empty title="Every link works">
          <p>No link of this collection needs attention.</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table aria-labelledby="attention-heading">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Link</th>
                <th scope="col">Last check</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((it) => (
                <AttentionRow key={it.id} item={it} editable={collection.permissions.write_items} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.hasNextPage && (
        <button type="button" onClick={() => void items.fetchNextPage()} disabled={items.isFetchingNextPage}>
          {items.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}

function AttentionRow({ item, editable }: { item: Item; editable: boolean }) {
  const adopt = useUseMovedURL();
  const link = item.link;
  return (
    <tr>
      <td data-label="Item">
        <Link to={`/items/${item.id}`}>{displayTitle(item)}</Link>
        <div className="muted small">{item.source_url}</div>
      </td>
      <td data-label="Link">
        <span className={`badge link-${link.status}`}>{linkStatusLabel(link.status)}</span>
        <div className="small">{linkDetail(link)}</div>
        {link.moved_to && <div className="small">Now at {link.moved_to}</div>}
      </td>
      <td data-label="Last check">{link.checked_at ? formatDateTime(link.checked_at) : <span className="muted">never</span>}</td>
      <td>
        {link.status === 'moved' && link.moved_to && editable && (
          <button type="button" onClick={() => adopt.mutate({ id: item.id, version: item.version, collectionId: item.collection_id })} disabled={adopt.isPending}
            aria-label={`Use the new address for “${displayTitle(item)}”`}>
            Use the new address
          </button>
        )}
        {adopt.error ? (
          <p className="error-text" role="alert">
            {isStatus(adopt.error, 409) ? 'The item or its link changed since this list was loaded; it has been refreshed.' : describeProblem(adopt.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
