// Server state of a collection's imports: the list, one import's progress, uploading a file.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { ImportSummary } from '../api/types';
import { useSession } from '../auth/session';

export const importKeys = {
  all: ['imports'] as const,
  list: (collectionId: string) => ['imports', 'list', collectionId] as const,
  one: (id: string) => ['imports', 'one', id] as const,
};

/** Whether an import has ended (the views poll until it has). */
export const finished = (s: ImportSummary['status']) => s === 'SUCCEEDED' || s === 'FAILED';

/** A collection's latest imports; refreshed while any is still running. */
export function useImports(collectionId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: importKeys.list(collectionId),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/collections/{id}/imports', { params: { path: { id: collectionId }, query: { limit: 20 } }, signal })),
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((i) => !finished(i.status)) ? 2000 : false),
  });
}

/** One import with its report; refreshed until it ends. */
export function useImport(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: importKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/imports/{id}', { params: { path: { id } }, signal })),
    refetchInterval: (q) => (q.state.data && finished(q.state.data.status) ? false : 1000),
  });
}

/** Uploads a bookmark file or an Atlas export into a collection. */
export function useStartImport(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, onDuplicate }: { file: File; onDuplicate: 'skip' | 'update' }) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return unwrap(
        api.POST('/api/v1/collections/{id}/imports', {
          params: { path: { id: collectionId }, query: { on_duplicate: onDuplicate } },
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: importKeys.list(collectionId) }),
  });
}
