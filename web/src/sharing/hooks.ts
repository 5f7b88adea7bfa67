// Server state of a collection's sharing: its public links and the caller's feed tokens.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { accountKeys } from '../account/hooks';
import { unwrap } from '../api/client';
import { useSession } from '../auth/session';

export const sharingKeys = { links: (collectionId: string) => ['public-links', collectionId] as const };

/** Feed formats, in the order the page offers them. */
export const feedFormats = ['atom', 'rss', 'json'] as const;
export type FeedFormat = (typeof feedFormats)[number];

/** The absolute URL of a collection's private feed in format, for a feed token. */
export function collectionFeedUrl(collectionId: string, format: FeedFormat, token: string, q = ''): string {
  const u = new URL(`/feeds/collections/${collectionId}/${format}`, window.location.origin);
  u.searchParams.set('token', token);
  if (q.trim()) u.searchParams.set('q', q.trim());
  return u.toString();
}

/** The absolute URL of a public link's page or feed path. */
export function absolute(path: string): string {
  return new URL(path, window.location.origin).toString();
}

export function usePublicLinks(collectionId: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: sharingKeys.links(collectionId),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/collections/{id}/public-links', { params: { path: { id: collectionId }, query: { limit: 100 } }, signal })),
  });
}

export function useCreatePublicLink(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { expires_at?: string; indexable?: boolean }) =>
      unwrap(api.POST('/api/v1/collections/{id}/public-links', { params: { path: { id: collectionId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: sharingKeys.links(collectionId) }),
  });
}

export function useRevokePublicLink(collectionId: string) {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (linkId: string) =>
      unwrap(api.DELETE('/api/v1/collections/{id}/public-links/{link_id}', { params: { path: { id: collectionId, link_id: linkId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: sharingKeys.links(collectionId) }),
  });
}

/** Creates a feed token (an API token of the feed scope), listed with the account's tokens. */
export function useCreateFeedToken() {
  const { api } = useSession();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/auth/tokens', { body: { name, scope: 'feed' } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: accountKeys.tokens }),
  });
}
