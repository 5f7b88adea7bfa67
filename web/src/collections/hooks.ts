// Server state of collections: queries, mutations and their cache keys.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { Collection } from '../api/types';
import { useSession } from '../auth/session';

export const collectionKeys = {
  all: ['collections'] as const,
  list: () => ['collections', 'list'] as const,
  one: (id: string) => ['collections', 'one', id] as const,
};

/** Every collection the caller belongs to, page by page. */
export function useCollections() {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: collectionKeys.list(),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/collections', { params: { query: { limit: 50, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** One collection, with the caller's role. */
export function useCollection(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: collectionKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/collections/{id}', { params: { path: { id } }, signal })),
  });
}

export function useCreateCollection() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; description: string }) => unwrap(api.POST('/api/v1/collections', { body })),
    onSuccess: (c) => {
      qc.setQueryData(collectionKeys.one(c.id), c);
      return qc.invalidateQueries({ queryKey: collectionKeys.list() });
    },
  });
}

/** Renames a collection; the new name shows at once and rolls back if the server refuses. */
export function useUpdateCollection() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; name: string; description: string }) =>
      unwrap(api.PATCH('/api/v1/collections/{id}', { params: { path: { id } }, body })),
    onMutate: async ({ id, name, description }) => {
      await qc.cancelQueries({ queryKey: collectionKeys.one(id) });
      const before = qc.getQueryData<Collection>(collectionKeys.one(id));
      if (before) qc.setQueryData(collectionKeys.one(id), { ...before, name, description });
      return { before };
    },
    onError: (_err, { id }, ctx) => {
      if (ctx?.before) qc.setQueryData(collectionKeys.one(id), ctx.before);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: collectionKeys.all }),
  });
}

export function useDeleteCollection() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/collections/{id}', { params: { path: { id } } })),
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: collectionKeys.one(id) });
      return qc.invalidateQueries({ queryKey: collectionKeys.list() });
    },
  });
}
