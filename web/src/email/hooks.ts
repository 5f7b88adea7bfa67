// Server state of email: password reset, address verification, security
// notice preferences and a collection's invitations.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { Role } from '../api/types';
import { useSession } from '../auth/session';
import { collectionKeys } from '../collections/hooks';

export const emailKeys = {
  settings: ['email', 'settings'] as const,
  invitations: (collectionId: string) => ['invitations', collectionId] as const,
};

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export function useRequestPasswordReset() {
  const { api } = useSession();
  return useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } })),
  });
}

export function useConfirmPasswordReset() {
  const { api } = useSession();
  return useMutation({
    mutationFn: (body: { token: string; new_password: string }) => unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body })),
  });
}

export function useVerifyEmail() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/api/v1/auth/verify-email', { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: emailKeys.settings }),
  });
}

export function useEmailSettings() {
  const { api } = useSession();
  return useQuery({
    queryKey: emailKeys.settings,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/email', { signal })),
  });
}

export function useUpdateEmailSettings() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (security_notices: boolean) => unwrap(api.PATCH('/api/v1/auth/email', { body: { security_notices } })),
    onSuccess: (s) => qc.setQueryData(emailKeys.settings, s),
  });
}

export function useSendVerification() {
  const { api } = useSession();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/email/verification')),
  });
}

export function useInvitations(collectionId: string, enabled: boolean) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: emailKeys.invitations(collectionId),
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/collections/{id}/invitations', {
          params: { path: { id: collectionId }, query: { limit: 100, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useInvite(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(api.POST('/api/v1/collections/{id}/invitations', { params: { path: { id: collectionId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: emailKeys.invitations(collectionId) }),
  });
}

export function useRevokeInvitation(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE('/api/v1/collections/{id}/invitations/{invitation_id}', {
          params: { path: { id: collectionId, invitation_id: invitationId } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: emailKeys.invitations(collectionId) }),
  });
}

export function useAcceptInvitation() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: collectionKeys.list() }),
  });
}

/** The token of an emailed link: after #token= (so it never reaches a server log or a Referer). */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}
