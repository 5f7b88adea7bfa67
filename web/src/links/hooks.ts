// Server state of link health: a collection's links that need attention,
// and adopting a moved link's new address.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { duplicateKeys } from '../duplicates/hooks';
import { itemKeys } from '../items/hooks';

export const linkKeys = {
  all: ['links'] as const,
  attention: (collectionId: string) => ['links', 'attention', collectionId] as const,
};

/** A collection's items whose link is moved, gone, failing or unreachable, newest first. */
export function useAttentionItems(collectionId: string) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: linkKeys.attention(collectionId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/collections/{id}/items', {
          params: { path: { id: collectionId }, query: { limit: 50, cursor: pageParam, link_status: ['attention'] } },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Makes a moved link's confirmed new address the item's URL, at the version read; the lists reload either way. */
export function useUseMovedURL() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number; collectionId: string }) =>
      unwrap(api.POST('/api/v1/items/{id}/use-moved-url', { params: { path: { id } }, body: { version } })),
    onSuccess: (it) => {
      qc.setQueryData(itemKeys.one(it.id), it);
      void qc.invalidateQueries({ queryKey: duplicateKeys.all });
    },
    onSettled: (_it, _err, { id, collectionId }) => {
      void qc.invalidateQueries({ queryKey: itemKeys.one(id) });
      void qc.invalidateQueries({ queryKey: itemKeys.lists(collectionId) });
      return qc.invalidateQueries({ queryKey: linkKeys.attention(collectionId) });
    },
  });
}
