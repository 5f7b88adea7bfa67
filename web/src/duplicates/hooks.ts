// Server state of the duplicates view: groups by kind, the merge, and the
// check a link gets before it is saved.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { DuplicateKind, DuplicateMatch } from '../api/types';
import { useSession } from '../auth/session';
import { itemKeys } from '../items/hooks';

export const duplicateKeys = {
  all: ['duplicates'] as const,
  groups: (kind: DuplicateKind) => ['duplicates', 'groups', kind] as const,
  check: (url: string) => ['duplicates', 'check', url] as const,
};

/** Groups of one kind over every collection the person can read, by key, a page at a time. */
export function useDuplicateGroups(kind: DuplicateKind) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: duplicateKeys.groups(kind),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/duplicates', { params: { query: { kind, limit: 20, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** An item at the version it was read. */
export interface ItemAt {
  id: string;
  version: number;
}

/** Merges others into keep; afterwards every view of duplicates and items reloads. */
export function useMergeDuplicates() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { keep: ItemAt; others: ItemAt[] }) => unwrap(api.POST('/api/v1/duplicates/merge', { body })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: itemKeys.all });
      return qc.invalidateQueries({ queryKey: duplicateKeys.all });
    },
  });
}

/**
 * Asks where a link is saved already, before saving it: resolves to the
 * matches (none when the check itself fails: saving then reports them).
 */
export function useFindSaved() {
  const { api } = useSession();
  const qc = useQueryClient();
  return async (url: string): Promise<DuplicateMatch[]> => {
    const u = url.trim();
    if (!u) return [];
    try {
      const r = await qc.fetchQuery({
        queryKey: duplicateKeys.check(u),
        staleTime: 0,
        queryFn: ({ signal }) => unwrap(api.GET('/api/v1/duplicates/check', { params: { query: { url: u } }, signal })),
      });
      return r.items ?? [];
    } catch {
      return [];
    }
  };
}
