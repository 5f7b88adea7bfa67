// People's words for the link checker's statuses (the server decides them).
import type { LinkHealth } from '../api/types';

const statusLabels: Record<LinkHealth['status'], string> = {
  unknown: 'Not checked yet',
  ok: 'Working',
  moved: 'Moved',
  gone: 'Dead (not found)',
  server_error: 'Server error',
  unreachable: 'Unreachable',
};

/** "Moved", "Dead (not found)", ... */
export function linkStatusLabel(status: LinkHealth['status']): string {
  return statusLabels[status];
}

/** Whether the link is dead: gone, or not answering (the API's "dead"). */
export function isDead(link: LinkHealth | undefined | null): boolean {
  return link?.status === 'gone' || link?.status === 'unreachable';
}

/** What the last check saw, e.g. "HTTP 410: Gone". */
export function linkDetail(link: LinkHealth): string {
  const code = link.http_status ? `HTTP ${link.http_status}` : '';
  return [code, link.detail].filter(Boolean).join(': ');
}
