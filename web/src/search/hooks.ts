// Server state of full-text search.
import { useInfiniteQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { SearchOrder, SearchSort } from '../api/types';
import { useSession } from '../auth/session';

/** A search as the page holds it: '' or undefined for "not given". */
export interface SearchParams {
  q: string;
  collectionId: string;
  tags: readonly string[];
  sort?: SearchSort;
  order?: SearchOrder;
}

export const searchKeys = {
  all: ['search'] as const,
  results: (p: SearchParams) => ['search', p.q, p.collectionId, [...p.tags], p.sort ?? '', p.order ?? ''] as const,
};

/** The caller's items matching a search, page by page. */
export function useSearch(p: SearchParams) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: searchKeys.results(p),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/search/items', {
          params: {
            query: {
              q: p.q || undefined,
              collection_id: p.collectionId || undefined,
              tags: p.tags.length > 0 ? [...p.tags] : undefined,
              sort: p.sort,
              order: p.order,
              cursor: pageParam,
              limit: 20,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: false,
  });
}
