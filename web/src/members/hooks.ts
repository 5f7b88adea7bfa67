// Server state of a collection's members.
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { MemberList, Role } from '../api/types';
import { useSession } from '../auth/session';
import { collectionKeys } from '../collections/hooks';

export const memberKeys = { list: (collectionId: string) => ['members', collectionId] as const };

export function useMembers(collectionId: string) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: memberKeys.list(collectionId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/collections/{id}/members', { params: { path: { id: collectionId }, query: { limit: 100, cursor: pageParam } }, signal }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useAddMember(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role } | { team_id: string; role: Role }) =>
      unwrap(api.POST('/api/v1/collections/{id}/members', { params: { path: { id: collectionId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberKeys.list(collectionId) }),
  });
}

/** Changes a role; the list shows the new role at once and rolls back if refused (e.g. the last owner). */
export function useChangeRole(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  const key = memberKeys.list(collectionId);
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(
        api.PATCH('/api/v1/collections/{id}/members/{user_id}', { params: { path: { id: collectionId, user_id: userId } }, body: { role } }),
      ),
    onMutate: async ({ userId, role }) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<InfiniteData<MemberList>>(key);
      qc.setQueryData<InfiniteData<MemberList>>(key, (data) =>
        data
          ? { ...data, pages: data.pages.map((p) => ({ ...p, items: (p.items ?? []).map((m) => (m.user_id === userId ? { ...m, role } : m)) })) }
          : data,
      );
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: collectionKeys.one(collectionId) });
      return qc.invalidateQueries({ queryKey: key });
    },
  });
}

/** Changes a team's role in the collection (owners). */
export function useChangeTeamRole(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ teamId, role }: { teamId: string; role: Role }) =>
      unwrap(
        api.PATCH('/api/v1/collections/{id}/members/teams/{team_id}', { params: { path: { id: collectionId, team_id: teamId } }, body: { role } }),
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: collectionKeys.one(collectionId) });
      return qc.invalidateQueries({ queryKey: memberKeys.list(collectionId) });
    },
  });
}

/** Removes a team from the collection (owners); the caller may lose access through it too. */
export function useRemoveTeam(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (teamId: string) =>
      unwrap(api.DELETE('/api/v1/collections/{id}/members/teams/{team_id}', { params: { path: { id: collectionId, team_id: teamId } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: collectionKeys.one(collectionId) });
      return qc.invalidateQueries({ queryKey: memberKeys.list(collectionId) });
    },
  });
}

export function useRemoveMember(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/collections/{id}/members/{user_id}', { params: { path: { id: collectionId, user_id: userId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: memberKeys.list(collectionId) }),
  });
}
