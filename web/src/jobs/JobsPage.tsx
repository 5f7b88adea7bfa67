// Background jobs: filter by status and type, refreshed live while any runs.
import { Link, useSearchParams } from 'react-router';
import type { JobStatus, JobType } from '../api/types';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorState, FormError, Loading } from '../ui/States';
import { useJobs, useRetryJob } from './hooks';
import { canTryAgain, JobReason, JobStatusBadge, statusLabel } from './JobStatusBadge';

const statuses: readonly JobStatus[] = ['QUEUED', 'RETRYING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const types: readonly JobType[] = ['ENRICH_URL', 'REINDEX_ITEM', 'ARCHIVE_PAGE', 'FETCH_IMAGES'];

/** What each job type does, in people's words. */
const typeLabels: Record<JobType, string> = {
  ENRICH_URL: 'Fetch link details',
  REINDEX_ITEM: 'Update search',
  ARCHIVE_PAGE: 'Keep a copy of the page',
  FETCH_IMAGES: 'Fetch preview images',
};

/** The value if it is one of the allowed ones (URL parameters are free text). */
function oneOf<T extends string>(allowed: readonly T[], v: string | null): T | undefined {
  return allowed.find((a) => a === v);
}

export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const status = oneOf(statuses, params.get('status'));
  const type = oneOf(types, params.get('type'));
  const itemId = params.get('item_id') ?? '';

  const jobs = useJobs({ status, type, itemId });
  const retry = useRetryJob();

  const setFilter = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const all = jobs.data?.pages.flatMap((p) => p.items ?? []) ?? [];

  return (
    <>
      <PageHeader title="Jobs" subtitle="Background work: fetching link details and keeping search up to date." />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter jobs">
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={type ?? ''} onChange={(e) => setFilter('type', e.target.value)}>
            <option value="">Any</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {typeLabels[t]}
              </option>
            ))}
          </select>
        </label>
        {itemId && (
          <p>
            For one item. <button type="button" className="link" onClick={() => setFilter('item_id', '')}>Show all items</button>
          </p>
        )}
      </form>
      {jobs.isPending ? (
        <Loading label="Loading jobs…" />
      ) : jobs.isError ? (
        <ErrorState error={jobs.error} retry={() => jobs.refetch()} title="Could not load jobs" />
      ) : all.length === 0 ? (
        <Empty title="No jobs match">
          <p>Jobs appear when items with links are added or changed.</p>
        </Empty>
      ) : (
        <div className="table-wrap stack-narrow">
          <table>
            <caption className="visually-hidden">Jobs{jobs.isRefetching ? ' (refreshing)' : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Type</th>
                <th scope="col">Item</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created</th>
                <th scope="col">Why</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {all.map((j) => (
                <tr key={String(j.id)}>
                  <td data-label="Status">
                    <JobStatusBadge job={j} />
                  </td>
                  <td data-label="Type">{typeLabels[j.type]}</td>
                  <td data-label="Item">{j.item_id ? <Link to={`/items/${j.item_id}`}>Open item</Link> : '—'}</td>
                  <td data-label="Attempts">
                    {j.attempts ?? 0}
                    {j.max_attempts ? ` of ${j.max_attempts}` : ''}
                  </td>
                  <td data-label="Created">{formatDateTime(j.created_at ?? j.scheduled_at)}</td>
                  <td data-label="Why" className="error-cell">
                    <JobReason job={j} />
                  </td>
                  <td>
                    {canTryAgain(j.status) && (
                      <button type="button" onClick={() => retry.mutate(j.id)} disabled={retry.isPending}>
                        Try again
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormError error={retry.error} />
      {jobs.hasNextPage && (
        <button type="button" onClick={() => jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>
          Show more jobs
        </button>
      )}
    </>
  );
}
