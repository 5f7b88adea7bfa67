// Server state of the audit trail.
import { useInfiniteQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import type { AuditEntityType } from '../api/types';
import { useSession } from '../auth/session';

/** The audit filters as the page holds them ('' for none): pickers, and day-precise dates (YYYY-MM-DD). */
export const auditFilterKeys = ['entity_type', 'entity_id', 'actor_user_id', 'collection_id', 'type', 'from', 'to'] as const;
export type AuditFilters = Record<(typeof auditFilterKeys)[number], string>;

/** The entity types the dashboard filters by (a user's own security events have their own page). */
const entityTypes: readonly AuditEntityType[] = ['item', 'collection', 'membership'];

export const auditKeys = {
  all: ['audit'] as const,
  list: (f: AuditFilters) => ['audit', 'list', f] as const,
};

/** A date input's day ("2026-03-12", local) → the RFC 3339 instant that day starts at; endOfDay: the next day's start. */
export function dayStart(day: string, endOfDay = false): string {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!parts) return '';
  const at = new Date(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]) + (endOfDay ? 1 : 0));
  return Number.isNaN(at.getTime()) ? '' : at.toISOString();
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
              type: f.type || undefined,
              from: dayStart(f.from) || undefined,
              to: dayStart(f.to, true) || undefined,
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
