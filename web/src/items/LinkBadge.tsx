// The link checker's verdict on an item's source_url, shown only when the
// link needs attention (moved, gone, a server error, unreachable): the
// server decides the status; this only names it.
import type { Item } from '../api/types';

const labels: Record<string, string> = {
  moved: 'moved',
  gone: 'dead link',
  server_error: 'server error',
  unreachable: 'unreachable',
};

export function LinkBadge({ link }: { link: Item['link'] | undefined }) {
  if (!link) return null;
  const label = labels[link.status];
  if (!label) return null;
  const title = link.moved_to ? `Now at ${link.moved_to}` : link.detail || label;
  return (
    <span className={`badge link-${link.status}`} title={title}>
      {label}
    </span>
  );
}
