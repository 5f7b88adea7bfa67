// The warning shown before saving a link that is saved already: where it
// is, and the choice to save it all the same.
import { Link } from 'react-router';
import type { DuplicateMatch } from '../api/types';

/** "Reading list and Work", each collection once. */
export function collectionNames(matches: readonly DuplicateMatch[]): string {
  const names = [...new Set(matches.map((m) => m.collection_name))];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function SavedAlready({ matches, busy, onSave, onCancel }: { matches: readonly DuplicateMatch[]; busy: boolean; onSave(): void; onCancel(): void }) {
  return (
    <div className="notice saved-already" role="alert">
      <p>
        <strong>Already saved</strong> in {collectionNames(matches)}:
      </p>
      <ul>
        {matches.map((d) => (
          <li key={d.item_id}>
            <Link to={`/items/${d.item_id}`}>{d.title}</Link> in {d.collection_name}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Don’t save
        </button>
        <button type="button" className="primary" onClick={onSave} disabled={busy}>
          {busy ? 'Saving…' : 'Save it anyway'}
        </button>
      </div>
    </div>
  );
}
