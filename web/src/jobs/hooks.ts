// Server state of background jobs: the list, an item's latest jobs, starting one.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { Job, JobStatus, JobType } from '../api/types';
import { useSession } from '../auth/session';

/** The filters of the jobs list. */
export interface JobFilters {
  status?: JobStatus;
  type?: JobType;
  itemId?: string;
}

export const jobKeys = {
  all: ['jobs'] as const,
  list: (f: JobFilters) => ['jobs', 'list', f.status ?? '', f.type ?? '', f.itemId ?? ''] as const,
  item: (itemId: string) => ['jobs', 'item', itemId] as const,
};

/** Whether a job may still change (the views poll while one does). */
export const isActive = (j: Job) => j.status === 'QUEUED' || j.status === 'RUNNING' || j.status === 'RETRYING';

/** How often to poll while any job shown may still change. */
const pollWhileActive = (jobs: readonly Job[]) => (jobs.some(isActive) ? 2000 : false);

/** The caller's jobs, newest first, filtered; refreshed live while any runs. */
export function useJobs(f: JobFilters) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: jobKeys.list(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/jobs', {
          params: { query: { status: f.status, type: f.type, item_id: f.itemId || undefined, cursor: pageParam, limit: 50 } },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: false,
    refetchInterval: (q) => pollWhileActive((q.state.data?.pages ?? []).flatMap((p) => p.items ?? [])),
  });
}

/** An item's latest jobs (newest first); refreshed live while any runs. */
export function useItemJobs(itemId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: jobKeys.item(itemId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/jobs', { params: { query: { item_id: itemId, limit: 5 } }, signal })),
    retry: false,
    refetchInterval: (q) => pollWhileActive(q.state.data?.items ?? []),
  });
}

/** Starts a job on an item; every job list refreshes. */
export function useStartJob() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { type: Extract<JobType, 'ENRICH_URL' | 'REINDEX_ITEM'>; item_id: string }) => unwrap(api.POST('/api/v1/jobs', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: jobKeys.all }),
  });
}

/** Runs a job again now ("try again"); every job list refreshes. */
export function useRetryJob() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: jobKeys.all }),
  });
}
