// The audit trail: who changed what, when. Filter per item (entity), per
// collection with a time range, or per actor. Also embedded in a collection's
// "Activity" tab with the collection fixed.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { AuditEvent } from '../api/types';
import { useSession } from '../auth/session';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { diffRows, eventLabel } from './diff';
import { auditFilterKeys as filterKeys, useAuditEvents, type AuditFilters as Filters } from './hooks';

export function AuditPage() {
  return (
    <>
      <PageHeader title="Activity" subtitle="Every change to collections, items and memberships you can see." />
      <AuditView />
    </>
  );
}

/** The Activity tab of a collection. */
export function CollectionActivity() {
  const c = useCurrentCollection();
  return (
    <section aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      <AuditView fixedCollection={c.id} />
    </section>
  );
}

function AuditView({ fixedCollection }: { fixedCollection?: string }) {
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ''])) as Filters;
  if (fixedCollection) filters.collection_id = fixedCollection;
  const [draft, setDraft] = useState(filters);

  const events = useAuditEvents(filters);

  function submit(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const k of filterKeys) {
      if (fixedCollection && k === 'collection_id') continue;
      const v = draft[k].trim();
      if (v) next.set(k, v);
    }
    setParams(next, { replace: true });
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const all = events.data?.pages.flatMap((p) => p.items ?? []) ?? [];

  return (
    <>
      <form className="filters audit-filters" onSubmit={submit} aria-label="Filter activity">
        <label>
          Entity
          <select value={draft.entity_type} onChange={set('entity_type')}>
            <option value="">Any</option>
            <option value="item">Item</option>
            <option value="collection">Collection</option>
            <option value="membership">Membership</option>
          </select>
        </label>
        <label>
          Entity id
          <input value={draft.entity_id} onChange={set('entity_id')} />
        </label>
        <label>
          Actor (user id)
          <input value={draft.actor_user_id} onChange={set('actor_user_id')} />
        </label>
        {!fixedCollection && (
          <label>
            Collection id
            <input value={draft.collection_id} onChange={set('collection_id')} />
          </label>
        )}
        <label>
          From
          <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      {events.isPending ? (
        <Loading label="Loading activity…" />
      ) : events.isError ? (
        <ErrorState error={events.error} retry={() => events.refetch()} title="Could not load activity" />
      ) : all.length === 0 ? (
        <Empty title="No activity matches">
          <p>Changes show up here a few seconds after they happen.</p>
        </Empty>
      ) : (
        <ol className="timeline" aria-label="Activity">
          {all.map((ev) => (
            <li key={ev.event_id} className="event">
              <div className="event-head">
                <strong>{eventLabel(ev.type)}</strong>
                <time dateTime={ev.occurred_at}>{formatDateTime(ev.occurred_at)}</time>
              </div>
              <p className="muted small">
                {ev.entity.type === 'item' ? <Link to={`/items/${ev.entity.id}`}>item {short(ev.entity.id)}</Link> : `${ev.entity.type} ${short(ev.entity.id)}`}
                {ev.actor_user_id ? (
                  <>
                    {' '}
                    by{' '}
                    <Link to={`/audit?actor_user_id=${ev.actor_user_id}`}>
                      {ev.actor_user_id === user?.id ? 'you' : `user ${short(ev.actor_user_id)}`}
                    </Link>
                  </>
                ) : (
                  ' by the system'
                )}
              </p>
              <DiffTable data={ev.data} />
            </li>
          ))}
        </ol>
      )}
      {events.hasNextPage && (
        <button type="button" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          Show older activity
        </button>
      )}
    </>
  );
}

function short(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}

function DiffTable({ data }: { data: AuditEvent['data'] }) {
  const rows = diffRows(data);
  if (rows.length === 0) return null;
  const hasChanges = rows.some((r) => r.value === undefined);
  return (
    <table className="diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          {hasChanges ? (
            <>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </>
          ) : (
            <th scope="col">Value</th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.field}>
            <th scope="row">{r.field}</th>
            {r.value !== undefined ? (
              <td colSpan={hasChanges ? 2 : 1}>{r.value}</td>
            ) : (
              <>
                <td>
                  <del>{r.before}</del>
                </td>
                <td>
                  <ins>{r.after}</ins>
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
