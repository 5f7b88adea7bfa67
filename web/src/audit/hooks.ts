// Server state of the audit trail.
import { useInfiniteQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { AuditEntityType } from '../api/types';
import { useSession } from '../auth/session';

/** The audit filters as the page holds them: free text, '' for none. */
export const auditFilterKeys = ['entity_type', 'entity_id', 'actor_user_id', 'collection_id', 'from', 'to'] as const;
export type AuditFilters = Record<(typeof auditFilterKeys)[number], string>;

/** The entity types the dashboard filters by (a user's own security events have their own page). */
const entityTypes: readonly AuditEntityType[] = ['item', 'collection', 'membership'];

export const auditKeys = {
  all: ['audit'] as const,
  list: (f: AuditFilters) => ['audit', 'list', f] as const,
};

/** datetime-local value ("2026-03-12T14:05") → RFC 3339 in UTC. */
export function toRFC3339(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** The audit events the caller may see, newest first, narrowed by the filters. */
export function useAuditEvents(f: AuditFilters) {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: auditKeys.list(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: {
            query: {
              entity_type: entityTypes.find((t) => t === f.entity_type),
              entity_id: f.entity_id || undefined,
              actor_user_id: f.actor_user_id || undefined,
              collection_id: f.collection_id || undefined,
              from: toRFC3339(f.from) || undefined,
              to: toRFC3339(f.to) || undefined,
              cursor: pageParam,
              limit: 50,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: false,
  });
}
