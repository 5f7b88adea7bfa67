// The audit trail by name: who changed what, when, grouped by day. Filter
// by collection, person, kind of change and days; an item's history comes
// from its page. Also embedded in a collection's "Activity" tab with the
// collection fixed.
import { Link, useSearchParams } from 'react-router';
import type { AuditEvent } from '../api/types';
import { useSession } from '../auth/session';
import { useCurrentCollection } from '../collections/CollectionLayout';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, Loading } from '../ui/States';
import { AuditFilterForm } from './AuditFilters';
import { byDay, diffRows, eventLabel } from './diff';
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

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function AuditView({ fixedCollection }: { fixedCollection?: string }) {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ''])) as Filters;
  if (fixedCollection) filters.collection_id = fixedCollection;
  const events = useAuditEvents(filters);

  function apply(f: Filters) {
    const next = new URLSearchParams();
    for (const k of filterKeys) {
      if (fixedCollection && k === 'collection_id') continue;
      const v = f[k].trim();
      if (v) next.set(k, v);
    }
    setParams(next, { replace: true });
  }
  const all = events.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const entityName = all.find((e) => e.entity.id === filters.entity_id)?.entity.name;

  return (
    <>
      {filters.entity_id && (
        <p>
          History of {filters.entity_type} {entityName ? `“${entityName}”` : ''}.{' '}
          <button type="button" className="link" onClick={() => apply({ ...filters, entity_type: '', entity_id: '' })}>
            Show all activity
          </button>
        </p>
      )}
      <AuditFilterForm key={params.toString()} filters={filters} fixedCollection={fixedCollection} onApply={apply} />
      {events.isPending ? (
        <Loading label="Loading activity…" />
      ) : events.isError ? (
        <ErrorState error={events.error} retry={() => events.refetch()} title="Could not load activity" />
      ) : all.length === 0 ? (
        <Empty title="No activity matches">
          <p>Changes show up here a few seconds after they happen. Try fewer filters or a wider range of days.</p>
        </Empty>
      ) : (
        <ol className="timeline" aria-label="Activity">
          {byDay(all).map((day) => (
            <li key={day.key} className="day">
              <h3 className="day-heading">{day.label}</h3>
              <ol className="timeline">
                {day.events.map((ev) => (
                  <li key={ev.event_id} className="event">
                    <div className="event-head">
                      <strong>{eventLabel(ev.type)}</strong>
                      <time dateTime={ev.occurred_at}>{time.format(new Date(ev.occurred_at))}</time>
                    </div>
                    <EventLine ev={ev} showCollection={!fixedCollection} />
                    <DiffTable data={ev.data} />
                  </li>
                ))}
              </ol>
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

/** "item ‘Title’ by Ada, in Reading list" with links; "deleted item ‘X’" for what is gone. */
function EventLine({ ev, showCollection }: { ev: AuditEvent; showCollection: boolean }) {
  const { user } = useSession();
  const e = ev.entity;
  const named = e.name ? `‘${e.name}’` : '(untitled)';
  let what;
  if (e.type === 'item') {
    what = e.gone ? <span>deleted item {named}</span> : <Link to={`/items/${e.id}`}>item {named}</Link>;
  } else if (e.type === 'collection') {
    what = e.gone ? <span>deleted collection {named}</span> : <Link to={`/collections/${e.id}`}>collection {named}</Link>;
  } else {
    what = <span>{e.id === user?.id ? 'you' : e.name || 'a member'}</span>;
  }
  return (
    <p className="muted small">
      {what}
      {ev.actor_user_id ? ` by ${ev.actor_user_id === user?.id ? 'you' : ev.actor_name || 'someone'}` : ' by the system'}
      {showCollection && e.collection_name && e.type !== 'collection' ? `, in ${e.collection_name}` : ''}
    </p>
  );
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
