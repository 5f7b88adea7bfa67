// Actions on the selected items: tag, untag, move or copy to another
// collection, delete (with undo, offered by the page).
import { useState, type FormEvent } from 'react';
import { useCollections } from '../collections/hooks';
import { FormError } from '../ui/States';
import { bulkLimit, useBulkDelete, useBulkMove, useBulkTags } from './bulkHooks';

interface Props {
  collectionId: string;
  selected: string[];
  /** How many items are loaded, and whether the server has more (then "select all" loads them, up to bulkLimit). */
  total: number;
  more: boolean;
  selectingAll: boolean;
  onSelectAll(): void;
  onClear(): void;
  onDeleted(undoToken: string, count: number): void;
}

export function BulkBar({ collectionId, selected, total, more, selectingAll, onSelectAll, onClear, onDeleted }: Props) {
  const [tag, setTag] = useState('');
  const [target, setTarget] = useState('');
  const tags = useBulkTags();
  const move = useBulkMove();
  const del = useBulkDelete();
  const collections = useCollections();
  const targets = (collections.data?.pages.flatMap((p) => p.items ?? []) ?? []).filter((c) => c.id !== collectionId && c.permissions.write_items);
  const busy = tags.isPending || move.isPending || del.isPending;
  const n = selected.length;

  function tagged(e: FormEvent, remove: boolean) {
    e.preventDefault();
    const t = tag.trim();
    if (!t) return;
    tags.mutate({ item_ids: selected, ...(remove ? { remove: [t] } : { add: [t] }) }, { onSuccess: () => setTag('') });
  }
  function moved(copy: boolean) {
    if (!target) return;
    move.mutate({ item_ids: selected, collection_id: target, copy }, { onSuccess: () => (copy ? undefined : onClear()) });
  }
  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      <p className="bulk-count" aria-live="polite">
        <strong>{n}</strong> selected
        {(n < total || more) && n < bulkLimit && (
          <button type="button" className="link" onClick={onSelectAll} disabled={selectingAll}>
            {selectingAll ? 'Selecting…' : more ? `Select all matching (up to ${bulkLimit.toLocaleString('en')})` : `Select all ${total}`}
          </button>
        )}
        <button type="button" className="link" onClick={onClear}>
          Clear selection
        </button>
      </p>
      <form className="bulk-group" onSubmit={(e) => tagged(e, false)}>
        <label>
          Tag
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="tag name" />
        </label>
        <button type="submit" disabled={busy}>
          Add tag
        </button>
        <button type="button" disabled={busy} onClick={(e) => tagged(e, true)}>
          Remove tag
        </button>
      </form>
      <div className="bulk-group">
        <label>
          Collection
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Choose…</option>
            {targets.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={busy || !target} onClick={() => moved(false)}>
          Move
        </button>
        <button type="button" disabled={busy || !target} onClick={() => moved(true)}>
          Copy
        </button>
      </div>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={() =>
          // Not mutate's onSuccess: the list can refetch before the answer arrives, drop the deleted
          // items from the selection and unmount this bar, and then that callback never runs (no undo).
          del.mutateAsync({ item_ids: selected }).then(
            (r) => onDeleted(r.undo_token, r.item_ids.length),
            () => undefined, // the bar shows del.error while it is there
          )
        }
      >
        Delete {n}
      </button>
      <FormError error={tags.error ?? move.error ?? del.error} />
    </section>
  );
}
