// One item in a collection's list, as a card or a compact row: what the
// person saved and what Atlas learnt about the link (with the preview image
// on a card and the site icon in both), with state chips from the API, and a
// checkbox for bulk actions. Cards are memoised: as a long list scrolls,
// only the cards coming into view render, not every card in the page.
import { memo, type MouseEvent } from 'react';
import { Link } from 'react-router';
import type { Item } from '../api/types';
import { formatDateTime } from '../ui/format';
import { CardPreview, SiteIcon } from './ItemImages';
import { LinkBadge } from './LinkBadge';

interface Props {
  item: Item;
  selectable: boolean;
  selected: boolean;
  focused: boolean;
  /** The checkbox was clicked (with shift held: a range). Keep it stable across renders, or the card re-renders. */
  onSelect(id: string, e: MouseEvent<HTMLInputElement>): void;
  /** Asks to delete the item; with it the card offers Edit and Delete (for those who may change it). Stable, as onSelect. */
  onDelete?: (it: Item) => void;
  /** In a virtual list: the card's row, and (on a row's first card) the ref that measures the row. */
  row?: number;
  measure?: (el: HTMLLIElement | null) => void;
}

/** A string field of the enrichment metadata, or ''. */
function meta(it: Item, key: string): string {
  const v = it.metadata_json?.[key];
  return typeof v === 'string' ? v : '';
}

/** "go.dev" from "https://go.dev/ref/mem". */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The item's title; for a link saved by URL alone, the page's own title once Atlas fetched it. */
export function displayTitle(it: Item): string {
  return it.title === it.source_url && meta(it, 'title') ? meta(it, 'title') : it.title;
}

export const ItemCard = memo(function ItemCard({ item: it, selectable, selected, focused, onSelect, onDelete, row, measure }: Props) {
  const title = displayTitle(it);
  const description = it.description || meta(it, 'description');
  const site = meta(it, 'site_name') || (it.source_url ? hostOf(it.source_url) : '');
  const notes = it.notes.length > 160 ? `${it.notes.slice(0, 160)}…` : it.notes;
  return (
    <li ref={measure} data-index={row} className={`item-card${selected ? ' selected' : ''}`} data-focused={focused || undefined} data-item-id={it.id}>
      {selectable && (
        <input
          type="checkbox"
          className="select-box"
          checked={selected}
          onChange={() => undefined}
          onClick={(e) => onSelect(it.id, e)}
          aria-label={`Select ${title}`}
        />
      )}
      <div className="item-main">
        {it.source_url && <CardPreview item={it} title={title} site={site} />}
        <h3>
          <Link to={`/items/${it.id}`}>{title}</Link>
          <LinkBadge link={it.link} />
        </h3>
        {site && (
          <p className="url">
            <SiteIcon item={it} />
            {site}
          </p>
        )}
        {description && <p className="card-text description">{description}</p>}
        {notes && <p className="card-text notes">{notes}</p>}
        {(it.tags ?? []).length > 0 && (
          <ul className="chips" aria-label="Tags">
            {(it.tags ?? []).map((t) => (
              <li key={t} className="chip">
                {t}
              </li>
            ))}
          </ul>
        )}
        <StateChips item={it} />
        <p className="muted small saved">Saved {formatDateTime(it.created_at)}</p>
      </div>
      {onDelete && (
        <div className="card-actions">
          <Link to={`/items/${it.id}?edit=1`} aria-label={`Edit ${it.title}`}>
            Edit
          </Link>
          <button type="button" className="danger-link" onClick={() => onDelete(it)} aria-label={`Delete ${it.title}`}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
});

/** Enriching / failed / indexed, as the server reports them. */
export function StateChips({ item }: { item: Item }) {
  const chips: { key: string; label: string }[] = [];
  if (item.enrichment === 'enriching') chips.push({ key: 'enriching', label: 'Fetching details…' });
  if (item.enrichment === 'failed') chips.push({ key: 'failed', label: 'Fetch failed' });
  chips.push(item.index_status === 'indexed' ? { key: 'indexed', label: 'Searchable' } : { key: 'pending', label: 'Indexing…' });
  return (
    <ul className="chips state-chips" aria-label="State">
      {chips.map((c) => (
        <li key={c.key} className={`chip state-${c.key}`}>
          {c.label}
        </li>
      ))}
    </ul>
  );
}
