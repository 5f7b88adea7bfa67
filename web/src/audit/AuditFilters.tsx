// The activity filters as pickers: collection, person, kind of change and a
// range of days; never ids to type.
import { useState, type FormEvent } from 'react';
import type { AuditEvent } from '../api/types';
import { useSession } from '../auth/session';
import { useCollections } from '../collections/hooks';
import { useMembers } from '../members/hooks';
import { eventLabel } from './diff';
import type { AuditFilters } from './hooks';

/** The kinds of change the picker offers (account security events have their own page). */
const eventTypes: readonly AuditEvent['type'][] = [
  'ItemCreated', 'ItemUpdated', 'ItemDeleted', 'CollectionCreated', 'CollectionUpdated', 'CollectionDeleted',
  'MembershipAdded', 'MembershipRoleChanged', 'MembershipRemoved', 'ImportFinished',
];

interface Props {
  filters: AuditFilters;
  fixedCollection?: string;
  onApply: (f: AuditFilters) => void;
}

export function AuditFilterForm({ filters, fixedCollection, onApply }: Props) {
  const [draft, setDraft] = useState(filters);
  const set = (k: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const collectionId = fixedCollection ?? draft.collection_id;
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(draft);
  }
  return (
    <form className="filters audit-filters" onSubmit={submit} aria-label="Filter activity">
      {!fixedCollection && <CollectionPicker value={draft.collection_id} onChange={set('collection_id')} />}
      {collectionId ? (
        <PersonPicker collectionId={collectionId} value={draft.actor_user_id} onChange={set('actor_user_id')} />
      ) : (
        <YouPicker value={draft.actor_user_id} onChange={set('actor_user_id')} />
      )}
      <label>
        Change
        <select value={draft.type} onChange={set('type')}>
          <option value="">Any</option>
          {eventTypes.map((t) => (
            <option key={t} value={t}>
              {eventLabel(t)}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="date" value={draft.from} onChange={set('from')} />
      </label>
      <label>
        To
        <input type="date" value={draft.to} onChange={set('to')} />
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}

type PickerProps = { value: string; onChange: (e: { target: { value: string } }) => void };

function CollectionPicker({ value, onChange }: PickerProps) {
  const collections = useCollections();
  const all = collections.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <label>
      Collection
      <select value={value} onChange={onChange}>
        <option value="">All collections</option>
        {all.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Anyone in the collection. */
function PersonPicker({ collectionId, value, onChange }: PickerProps & { collectionId: string }) {
  const members = useMembers(collectionId);
  const { user } = useSession();
  // People only: a team's row has no user id (its members act as themselves).
  const all = (members.data?.pages.flatMap((p) => p.items ?? []) ?? []).flatMap((m) =>
    m.user_id ? [{ ...m, user_id: m.user_id }] : [],
  );
  return (
    <label>
      Person
      <select value={value} onChange={onChange}>
        <option value="">Anyone</option>
        {all.map((m) => (
          <option key={m.user_id} value={m.user_id}>
            {m.user_id === user?.id ? `You (${m.display_name})` : m.display_name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Without a collection: you or anyone. */
function YouPicker({ value, onChange }: PickerProps) {
  const { user } = useSession();
  return (
    <label>
      Person
      <select value={value} onChange={onChange}>
        <option value="">Anyone</option>
        {user && <option value={user.id}>You</option>}
      </select>
    </label>
  );
}
