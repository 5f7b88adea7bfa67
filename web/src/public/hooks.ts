// Server state of a public page: what a public link publishes, read without an account.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';

export const publicKeys = {
  collection: (token: string) => ['public', token] as const,
  items: (token: string, q: string, tag: string) => ['public', token, 'items', q, tag] as const,
  tags: (token: string) => ['public', token, 'tags'] as const,
};

export function usePublicCollection(token: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: publicKeys.collection(token),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/public/{token}', { params: { path: { token } }, signal })),
  });
}

/** The published items, newest first; with q, the items matching that search in the collection. */
export function usePublicItems(token: string, q: string, tag: string) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: publicKeys.items(token, q, tag),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      q
        ? unwrap(
            api.GET('/api/v1/public/{token}/search', {
              params: { path: { token }, query: { q, limit: 20, cursor: pageParam, ...(tag ? { tags: [tag] } : {}) } },
              signal,
            }),
          )
        : unwrap(
            api.GET('/api/v1/public/{token}/items', {
              params: { path: { token }, query: { limit: 20, cursor: pageParam, ...(tag ? { tag: [tag] } : {}) } },
              signal,
            }),
          ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function usePublicTags(token: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: publicKeys.tags(token),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/public/{token}/tags', { params: { path: { token }, query: { limit: 100 } }, signal })),
  });
}
