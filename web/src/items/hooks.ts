// Server state of items and tags.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { CreateItemBody, Item, ItemList, UpdateItemBody } from '../api/types';
import { useSession } from '../auth/session';

export const itemKeys = {
  all: ['items'] as const,
  list: (collectionId: string, tags: readonly string[]) => ['items', 'list', collectionId, [...tags].sort()] as const,
  lists: (collectionId: string) => ['items', 'list', collectionId] as const,
  one: (id: string) => ['items', 'one', id] as const,
  tags: (collectionId: string) => ['tags', collectionId] as const,
};

/** The first page's size: what fills a screen, quickly. */
export const pageSize = 20;
/** Later pages' size, as a long list scrolls (the API's largest). */
export const morePageSize = 100;

/** A collection's items, newest first, filtered to those carrying every tag given: a short first page, then longer ones. */
export function useItems(collectionId: string, tags: readonly string[]) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: itemKeys.list(collectionId, tags),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/collections/{id}/items', {
          params: {
            path: { id: collectionId },
            query: { limit: pageParam ? morePageSize : pageSize, cursor: pageParam, tag: tags.length > 0 ? [...tags] : undefined },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // While Atlas fetches a link's details, the list refreshes so that its card fills in.
    refetchInterval: (q) => ((q.state.data?.pages ?? []).some((p) => (p.items ?? []).some(fillingIn)) ? 2000 : false),
  });
}

/**
 * Whether an item's card is still filling in: its link is being fetched, or was just saved and not picked up yet,
 * or was just fetched and names a preview image that Atlas is still making.
 */
export function fillingIn(it: Item): boolean {
  if (it.enrichment === 'enriching') return true;
  if (it.enrichment === 'done' && !it.preview_url && typeof it.metadata_json?.image_url === 'string') {
    return Date.now() - new Date(it.updated_at).getTime() < 60_000;
  }
  return it.enrichment === 'none' && !!it.source_url && Date.now() - new Date(it.created_at).getTime() < 60_000;
}

/** The collection's tags with their item counts (for filters and autocomplete). */
export function useTags(collectionId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: itemKeys.tags(collectionId),
    queryFn: async ({ signal }) => {
      const all = [];
      let cursor: string | undefined;
      // Tags are few; read every page so autocomplete knows them all.
      for (let i = 0; i < 20; i++) {
        const page = await unwrap(
          api.GET('/api/v1/collections/{id}/tags', { params: { path: { id: collectionId }, query: { limit: 100, cursor } }, signal }),
        );
        all.push(...(page.items ?? []));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return all;
    },
  });
}

export function useItem(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: itemKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/items/{id}', { params: { path: { id } }, signal })),
  });
}

export function useCreateItem(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateItemBody) =>
      unwrap(api.POST('/api/v1/collections/{id}/items', { params: { path: { id: collectionId } }, body })),
    onSuccess: (it) => {
      qc.setQueryData(itemKeys.one(it.id), it);
      void qc.invalidateQueries({ queryKey: itemKeys.tags(collectionId) });
      return qc.invalidateQueries({ queryKey: itemKeys.lists(collectionId) });
    },
  });
}

export function useUpdateItem(item: Item) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateItemBody) => unwrap(api.PATCH('/api/v1/items/{id}', { params: { path: { id: item.id } }, body })),
    onSuccess: (it) => {
      qc.setQueryData(itemKeys.one(it.id), it);
      void qc.invalidateQueries({ queryKey: itemKeys.tags(it.collection_id) });
      return qc.invalidateQueries({ queryKey: itemKeys.lists(it.collection_id) });
    },
  });
}

/** Deletes an item; it disappears from loaded lists at once and comes back if the server refuses. */
export function useDeleteItem(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/items/{id}', { params: { path: { id } } })),
    onMutate: async (id) => {
      await qc.cancelQueries({ queryKey: itemKeys.lists(collectionId) });
      const before = qc.getQueriesData<InfiniteData<ItemList>>({ queryKey: itemKeys.lists(collectionId) });
      qc.setQueriesData<InfiniteData<ItemList>>({ queryKey: itemKeys.lists(collectionId) }, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: (p.items ?? []).filter((it) => it.id !== id) })) } : data,
      );
      return { before };
    },
    onError: (_err, _id, ctx) => {
      for (const [key, data] of ctx?.before ?? []) qc.setQueryData(key, data);
    },
    onSettled: (_r, _e, id) => {
      qc.removeQueries({ queryKey: itemKeys.one(id) });
      void qc.invalidateQueries({ queryKey: itemKeys.tags(collectionId) });
      return qc.invalidateQueries({ queryKey: itemKeys.lists(collectionId) });
    },
  });
}
