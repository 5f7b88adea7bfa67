// Server state of teams: the caller's teams, one team, its members, and their cache keys.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { TeamRole } from '../api/types';
import { useSession } from '../auth/session';
import { collectionKeys } from '../collections/hooks';

export const teamKeys = {
  all: ['teams'] as const,
  list: () => ['teams', 'list'] as const,
  one: (id: string) => ['teams', 'one', id] as const,
  members: (id: string) => ['teams', 'members', id] as const,
};

/** Every team the caller belongs to, page by page. */
export function useTeams() {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: teamKeys.list(),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/api/v1/teams', { params: { query: { limit: 100, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** One team, with the caller's role and whether they may manage it. */
export function useTeam(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: teamKeys.one(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/teams/{id}', { params: { path: { id } }, signal })),
  });
}

export function useCreateTeam() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/teams', { body: { name } })),
    onSuccess: (t) => {
      qc.setQueryData(teamKeys.one(t.id), t);
      return qc.invalidateQueries({ queryKey: teamKeys.list() });
    },
  });
}

export function useRenameTeam() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => unwrap(api.PATCH('/api/v1/teams/{id}', { params: { path: { id } }, body: { name } })),
    onSuccess: (t) => {
      qc.setQueryData(teamKeys.one(t.id), t);
      return qc.invalidateQueries({ queryKey: teamKeys.list() });
    },
  });
}

/** Deletes a team; its members lose what it gave them, so collections are refetched too. */
export function useDeleteTeam() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/teams/{id}', { params: { path: { id } } })),
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: teamKeys.one(id) });
      void qc.invalidateQueries({ queryKey: collectionKeys.all });
      return qc.invalidateQueries({ queryKey: teamKeys.list() });
    },
  });
}

export function useTeamMembers(teamId: string) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: teamKeys.members(teamId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/teams/{id}/members', { params: { path: { id: teamId }, query: { limit: 100, cursor: pageParam } }, signal })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Refetches what a change of a team's members changes: the members, the team (its count) and the list. */
function useInvalidateTeam(teamId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: teamKeys.members(teamId) }),
      qc.invalidateQueries({ queryKey: teamKeys.one(teamId) }),
      qc.invalidateQueries({ queryKey: teamKeys.list() }),
    ]);
}

export function useAddTeamMember(teamId: string) {
  const { api } = useSession();
  const invalidate = useInvalidateTeam(teamId);
  return useMutation({
    mutationFn: (body: { email: string; role: TeamRole }) =>
      unwrap(api.POST('/api/v1/teams/{id}/members', { params: { path: { id: teamId } }, body })),
    onSuccess: invalidate,
  });
}

export function useChangeTeamMemberRole(teamId: string) {
  const { api } = useSession();
  const invalidate = useInvalidateTeam(teamId);
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: TeamRole }) =>
      unwrap(api.PATCH('/api/v1/teams/{id}/members/{user_id}', { params: { path: { id: teamId, user_id: userId } }, body: { role } })),
    onSettled: invalidate,
  });
}

export function useRemoveTeamMember(teamId: string) {
  const { api } = useSession();
  const invalidate = useInvalidateTeam(teamId);
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/teams/{id}/members/{user_id}', { params: { path: { id: teamId, user_id: userId } } })),
    onSuccess: invalidate,
  });
}
