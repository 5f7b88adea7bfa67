// Server state of bulk item actions: tag, move, copy, delete and undo. Every
// item list and tag list refreshes after each.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';

/** The most items one bulk request may name (the bulk routes' maxItems). */
export const bulkLimit = 1000;

/** Runs after any bulk write: every list of items and tags may have changed. */
function useRefreshAll() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: ['items'] }), qc.invalidateQueries({ queryKey: ['tags'] })]);
}

export function useBulkTags() {
  const { api } = useSession();
  const refresh = useRefreshAll();
  return useMutation({
    mutationFn: (body: { item_ids: string[]; add?: string[]; remove?: string[] }) => unwrap(api.POST('/api/v1/items/bulk/tags', { body })),
    onSuccess: refresh,
  });
}

export function useBulkMove() {
  const { api } = useSession();
  const refresh = useRefreshAll();
  return useMutation({
    mutationFn: ({ copy, ...body }: { item_ids: string[]; collection_id: string; copy: boolean }) =>
      unwrap(api.POST(copy ? '/api/v1/items/bulk/copy' : '/api/v1/items/bulk/move', { body })),
    onSuccess: refresh,
  });
}

export function useBulkDelete() {
  const { api } = useSession();
  const refresh = useRefreshAll();
  return useMutation({
    mutationFn: (body: { item_ids: string[] }) => unwrap(api.POST('/api/v1/items/bulk/delete', { body })),
    onSuccess: refresh,
  });
}

export function useBulkRestore() {
  const { api } = useSession();
  const refresh = useRefreshAll();
  return useMutation({
    mutationFn: (body: { undo_token: string }) => unwrap(api.POST('/api/v1/items/bulk/restore', { body })),
    onSuccess: refresh,
  });
}
