// An item's archived copies: what the latest attempt did (or why it failed),
// the reading view (the readable copy, sanitised again here with DOMPurify)
// and the archived page itself, shown in a sandboxed frame where no script runs.
import DOMPurify from 'dompurify';
import type { Item } from '../api/types';
import { formatDateTime } from '../ui/format';
import { formatBytes } from '../items/EnrichmentPanel';
import { useArchiveCopy, useItemArchive, type CopyKind } from './hooks';

/** Sanitises readable HTML for the reading view: no script, handler, frame, form or style survives. */
export function sanitizeReadable(html: string): string {
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

/**
 * Prepares the archived page for the dashboard's frame. A srcdoc frame lives
 * under the dashboard's own Content-Security-Policy, which allows no inline
 * or data: styles and fonts: they would be refused (and logged) anyway, so
 * they are removed here, with anything else that could run, leaving the
 * page's text, links and images.
 */
export function inertForFrame(html: string): string {
  // Chromium parses for DOMPurify under this page's policy too, and reports every <style> it meets there as
  // a refused inline style: drop those elements before parsing (DOMPurify still removes anything left).
  return DOMPurify.sanitize(html.replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, ''), {
    WHOLE_DOCUMENT: true,
    FORBID_TAGS: ['style', 'link', 'form', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

/** The item page keeps which copy is open, so that a dead link's notice can open the archived copy. */
export function ArchivePanel({ item, open, setOpen }: { item: Item; open: CopyKind | null; setOpen(kind: CopyKind | null): void }) {
  const archive = useItemArchive(item.id);
  const a = archive.data;
  if (!a || (a.status === 'none' && !item.source_url)) return null;
  const copies = a.copies ?? [];
  const has = (kind: CopyKind) => copies.some((c) => c.kind === kind);
  const size = copies.reduce((n, c) => n + c.size_bytes, 0);
  return (
    <section className="panel" aria-labelledby="archive-heading">
      <h2 id="archive-heading">Archived copy</h2>
      {a.status === 'none' && <p className="muted">No archived copy yet.</p>}
      {a.status === 'failed' && (
        <p>
          The latest archiving attempt failed{a.attempted_at ? ` (${formatDateTime(a.attempted_at)})` : ''}:{' '}
          <span className="error-text">{a.reason}</span>
        </p>
      )}
      {copies[0] && (
        <p>
          {a.captured_by === 'browser' ? 'Kept as you saw it in your browser' : 'Archived'} {formatDateTime(copies[0].created_at)} ({formatBytes(size)})
          {a.blocked_resources > 0 ? `; ${a.blocked_resources} resources on addresses Atlas may not fetch were left out` : ''}.
        </p>
      )}
      <div className="row">
        {has('readable') && (
          <button type="button" aria-pressed={open === 'readable'} onClick={() => setOpen(open === 'readable' ? null : 'readable')}>
            Reading view
          </button>
        )}
        {has('html') && (
          <button type="button" aria-pressed={open === 'html'} onClick={() => setOpen(open === 'html' ? null : 'html')}>
            Archived copy
          </button>
        )}
      </div>
      {open === 'readable' && <ReadingView itemId={item.id} />}
      {open === 'html' && <ArchivedPage itemId={item.id} title={item.title} />}
    </section>
  );
}

function ReadingView({ itemId }: { itemId: string }) {
  const copy = useArchiveCopy(itemId, 'readable', true);
  if (copy.isPending) return <p className="muted">Loading the reading view…</p>;
  if (copy.isError) return <p className="error-text">The reading view could not be loaded.</p>;
  return <article className="reading-view" data-testid="reading-view" dangerouslySetInnerHTML={{ __html: sanitizeReadable(copy.data) }} />;
}

function ArchivedPage({ itemId, title }: { itemId: string; title: string }) {
  const copy = useArchiveCopy(itemId, 'html', true);
  if (copy.isPending) return <p className="muted">Loading the archived copy…</p>;
  if (copy.isError) return <p className="error-text">The archived copy could not be loaded.</p>;
  // sandbox="" without allow-scripts: nothing in the copy runs, and it gets an opaque origin.
  return <iframe className="archived-page" title={`Archived copy of ${title}`} sandbox="" srcDoc={inertForFrame(copy.data)} data-testid="archived-page" />;
}
