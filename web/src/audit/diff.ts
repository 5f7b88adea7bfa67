// Turns an audit event's data into rows a person can read: changed fields as
// before → after, other fields as values. Events carry
// {changes: {field: {before, after}}, ...} for updates and plain fields otherwise.

export interface DiffRow {
  field: string;
  before?: string;
  after?: string;
  /** Only for rows that are not a change. */
  value?: string;
}

/** A value as short text: strings as-is, lists joined, empty as "(empty)". */
export function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(show).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function isChange(v: unknown): v is { before: unknown; after: unknown } {
  return typeof v === 'object' && v !== null && 'before' in v && 'after' in v;
}

function label(field: string): string {
  const s = field.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The rows of an event's data, changes first, in a stable order. */
export function diffRows(data: Record<string, unknown> | null | undefined): DiffRow[] {
  if (!data) return [];
  const rows: DiffRow[] = [];
  const changes = data.changes;
  if (typeof changes === 'object' && changes !== null && !Array.isArray(changes)) {
    for (const [field, c] of Object.entries(changes).sort(([a], [b]) => a.localeCompare(b))) {
      if (isChange(c)) rows.push({ field: label(field), before: show(c.before), after: show(c.after) });
    }
  }
  for (const [field, v] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b))) {
    if (field === 'changes') continue;
    if (isChange(v)) rows.push({ field: label(field), before: show(v.before), after: show(v.after) });
    else rows.push({ field: label(field), value: show(v) });
  }
  return rows;
}

/** "ItemUpdated" → "Item updated". */
export function eventLabel(type: string): string {
  const words = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A day of activity: its key (YYYY-MM-DD, local), a label and its events in order. */
export interface Day<E> {
  key: string;
  label: string;
  events: E[];
}

const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

function localKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Groups events (newest first) by their local day: "Today", "Yesterday", then dates. */
export function byDay<E extends { occurred_at: string }>(events: readonly E[], now = new Date()): Day<E>[] {
  const today = localKey(now);
  const yesterday = localKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
  const days: Day<E>[] = [];
  for (const e of events) {
    const d = new Date(e.occurred_at);
    const key = localKey(d);
    let day = days[days.length - 1];
    if (!day || day.key !== key) {
      day = { key, label: key === today ? 'Today' : key === yesterday ? 'Yesterday' : dayLabel.format(d), events: [] };
      days.push(day);
    }
    day.events.push(e);
  }
  return days;
}
