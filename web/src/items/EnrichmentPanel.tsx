// What background enrichment learned about an item's URL, and the state of
// its jobs.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from 'react-router';
import type { Item } from '../api/types';
import { isActive, useItemJobs, useRetryJob, useStartJob } from '../jobs/hooks';
import { canTryAgain, JobReason, JobStatusBadge } from '../jobs/JobStatusBadge';
import { formatDateTime } from '../ui/format';
import { FormError } from '../ui/States';
import { itemKeys } from './hooks';

export function EnrichmentPanel({ item, editable }: { item: Item; editable: boolean }) {
  const qc = useQueryClient();
  const jobs = useItemJobs(item.id);
  const rerun = useStartJob();
  const retry = useRetryJob();
  const latest = jobs.data?.items?.[0];
  // When a job finishes, the item may have new metadata.
  const latestStatus = latest?.status;
  useEffect(() => {
    if (latestStatus === 'SUCCEEDED') void qc.invalidateQueries({ queryKey: itemKeys.one(item.id) });
  }, [latestStatus, qc, item.id]);
  const meta = Object.entries(item.metadata_json ?? {}).filter(([, v]) => typeof v === 'string' || typeof v === 'number');

  if (!item.source_url && meta.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="enrichment-heading">
      <h2 id="enrichment-heading">Link details</h2>
      {meta.length > 0 ? (
        <dl>
          {meta.map(([k, v]) => (
            <div key={k} className="dl-row">
              <dt>{k.replace(/_/g, ' ')}</dt>
              <dd>{String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">Atlas has not fetched details for this link yet.</p>
      )}
      <PageTextLine pageText={item.page_text} />
      {latest && (
        <div>
          <p>
            Fetching link details: <JobStatusBadge job={latest} />
            {latest.finalized_at ? `, finished ${formatDateTime(latest.finalized_at)}` : ''}{' '}
            <Link to={`/jobs?item_id=${item.id}`}>All jobs</Link>
          </p>
          <JobReason job={latest} />
          {editable && canTryAgain(latest.status) && (
            <button type="button" onClick={() => retry.mutate(latest.id)} disabled={retry.isPending}>
              Try again
            </button>
          )}
        </div>
      )}
      {jobs.isSuccess && editable && item.source_url && !(latest && canTryAgain(latest.status)) && (
        <button type="button" onClick={() => rerun.mutate({ type: 'ENRICH_URL', item_id: item.id })}
          disabled={rerun.isPending || (latest ? isActive(latest) : false)}>
          Fetch link details again
        </button>
      )}
      <FormError error={jobs.error ?? rerun.error ?? retry.error} />
    </section>
  );
}

/** Whether the page's text is captured (and so searchable), and how much of it. */
export function PageTextLine({ pageText }: { pageText: Item['page_text'] | undefined }) {
  if (!pageText || pageText.status === 'none') return null;
  if (pageText.status === 'skipped') {
    return <p className="muted">Page text not captured: {pageText.skip_reason}</p>;
  }
  return (
    <p>
      Page text captured ({formatBytes(pageText.size_bytes)}
      {pageText.truncated ? ', cut at 512 KiB' : ''}
      {pageText.language ? `, ${pageText.language}` : ''}): search looks inside this page.
    </p>
  );
}

/** 18234 → "17.8 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  return `${(n / 1024).toFixed(1)} KiB`;
}
