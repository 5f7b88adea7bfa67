// "Indexing…" for items that search has not caught up with yet (index_status
// pending), so a missing search hit right after a change is explained.
import type { Item } from '../api/types';

export function IndexBadge({ status }: { status: Item['index_status'] | undefined }) {
  if (status !== 'pending') return null;
  return (
    <span className="badge pending" title="Search will find this version of the item in a moment.">
      indexing…
    </span>
  );
}
