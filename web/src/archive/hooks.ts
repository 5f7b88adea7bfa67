// Server state of an item's archived copies.
import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';

export type CopyKind = 'html' | 'readable';

export const archiveKeys = {
  all: ['archive'] as const,
  one: (itemId: string) => ['archive', 'item', itemId] as const,
  copy: (itemId: string, kind: CopyKind) => ['archive', 'item', itemId, kind] as const,
};

/** An item's latest archiving attempt and its copies. */
export function useItemArchive(itemId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: archiveKeys.one(itemId),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/items/{id}/archive', { params: { path: { id: itemId } }, signal })),
  });
}

/** One copy's HTML, fetched with the session's token when enabled. */
export function useArchiveCopy(itemId: string, kind: CopyKind, enabled: boolean) {
  const { api } = useSession();
  return useQuery({
    queryKey: archiveKeys.copy(itemId, kind),
    enabled,
    staleTime: Infinity,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/items/{id}/archive/{kind}', { params: { path: { id: itemId, kind } }, parseAs: 'text', signal })) as Promise<string>,
  });
}
