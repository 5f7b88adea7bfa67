// "Indexing…" for items search has not caught up with yet. Shown only when the
// API reports an index status (it arrives with the search feature).
import type { Item } from '../api/types';

// TODO(api-types): index_status is not in the generated Item yet; read it loosely until it is.
type WithIndexStatus = { index_status?: string | null };

export function IndexBadge({ item }: { item: Item | WithIndexStatus }) {
  const status = (item as WithIndexStatus).index_status;
  if (!status || status === 'indexed') return null;
  return (
    <span className="badge pending" title="Search will find this item in a few seconds.">
      {status === 'pending' ? 'indexing…' : status}
    </span>
  );
}
