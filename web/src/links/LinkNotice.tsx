// On the item page: a dead link offers the archived copy (when one was
// kept); a moved link offers its new address.
import { useItemArchive } from '../archive/hooks';
import { describeProblem, isStatus } from '../api/problem';
import type { Item } from '../api/types';
import { formatDateTime } from '../ui/format';
import { useUseMovedURL } from './hooks';
import { isDead, linkDetail } from './labels';

export function LinkNotice({ item, editable, openArchive }: { item: Item; editable: boolean; openArchive(): void }) {
  const archive = useItemArchive(item.id);
  const adopt = useUseMovedURL();
  const link = item.link;
  const seen = [linkDetail(link), link.checked_at ? `last checked ${formatDateTime(link.checked_at)}` : ''].filter(Boolean).join('; ');
  if (isDead(link)) {
    const copy = (archive.data?.copies ?? []).some((c) => c.kind === 'html');
    return (
      <div className="notice link-notice" role="note" aria-label="Link health">
        <p>
          <strong>The link is dead</strong>
          {copy ? (
            <>
              {' — '}
              <button type="button" className="link" onClick={openArchive}>
                open the archived copy
              </button>
            </>
          ) : (
            '; no archived copy was kept.'
          )}
        </p>
        {seen && <p className="muted small">{seen}</p>}
      </div>
    );
  }
  if (link.status === 'moved' && link.moved_to) {
    return (
      <div className="notice link-notice" role="note" aria-label="Link health">
        <p>
          <strong>The link has moved</strong> to{' '}
          <a href={link.moved_to} target="_blank" rel="noopener noreferrer">
            {link.moved_to}
          </a>
          .{' '}
          {editable && (
            <button type="button" onClick={() => adopt.mutate({ id: item.id, version: item.version, collectionId: item.collection_id })} disabled={adopt.isPending}>
              Use the new address
            </button>
          )}
        </p>
        {seen && <p className="muted small">{seen}</p>}
        {adopt.error ? (
          <p className="error-text" role="alert">
            {isStatus(adopt.error, 409) ? 'The item or its link changed meanwhile; it has been reloaded.' : describeProblem(adopt.error)}
          </p>
        ) : null}
      </div>
    );
  }
  return null;
}
