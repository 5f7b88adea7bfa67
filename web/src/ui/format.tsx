// Formatting of dates and roles for display.
import type { Role } from '../api/types';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "12 Mar 2026, 14:05" in the reader's locale; empty for a missing date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const roleLabels: Record<Role, string> = { owner: 'Owner', editor: 'Editor', viewer: 'Viewer' };

/** "Owner", "Editor" or "Viewer". */
export function roleLabel(role: Role): string {
  return roleLabels[role];
}

/** What a role may do, in one phrase. */
export function roleHelp(role: Role): string {
  switch (role) {
    case 'owner':
      return 'can change everything, including members';
    case 'editor':
      return 'can add, edit and delete items';
    case 'viewer':
      return 'can read items';
  }
}

export function RoleBadge({ role }: { role: Role }) {
  return <span className={`badge role-${role}`}>{roleLabel(role)}</span>;
}
