// Server state of the caller's own account: profile, password, sessions and API tokens.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { ApiTokenScope } from '../api/types';
import { useSession } from '../auth/session';

export const accountKeys = { sessions: ['account', 'sessions'] as const, tokens: ['account', 'tokens'] as const };

export function useUpdateProfile() {
  const { api, setUser } = useSession();
  return useMutation({
    mutationFn: (display_name: string) => unwrap(api.PATCH('/api/v1/auth/me', { body: { display_name } })),
    onSuccess: (u) => setUser(u),
  });
}

export function useChangePassword() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => unwrap(api.POST('/api/v1/auth/password', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useSessions() {
  const { api } = useSession();
  return useQuery({
    queryKey: accountKeys.sessions,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/sessions', { params: { query: { limit: 100 } }, signal })),
  });
}

export function useRevokeSession() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useRevokeOtherSessions() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/auth/sessions')),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useApiTokens() {
  const { api } = useSession();
  return useQuery({
    queryKey: accountKeys.tokens,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/tokens', { params: { query: { limit: 100 } }, signal })),
  });
}

export function useCreateApiToken() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scope: ApiTokenScope; expires_at?: string }) => unwrap(api.POST('/api/v1/auth/tokens', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.tokens }),
  });
}

export function useRevokeApiToken() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/auth/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.tokens }),
  });
}
