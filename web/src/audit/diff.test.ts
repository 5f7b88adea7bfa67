import { describe, expect, it } from 'vitest';
import { byDay, diffRows, eventLabel, show } from './diff';

describe('audit diffs', () => {
  it('shows changes as before and after, then other fields', () => {
    const rows = diffRows({
      changes: { title: { before: 'Old', after: 'New' }, tags: { before: ['go'], after: ['go', 'db'] } },
      version: 3,
    });
    expect(rows).toEqual([
      { field: 'Tags', before: 'go', after: 'go, db' },
      { field: 'Title', before: 'Old', after: 'New' },
      { field: 'Version', value: '3' },
    ]);
  });

  it('lists the fields of a creation', () => {
    expect(diffRows({ title: 'A', source_url: null, tags: [] })).toEqual([
      { field: 'Source url', value: '(empty)' },
      { field: 'Tags', value: '(none)' },
      { field: 'Title', value: 'A' },
    ]);
    expect(diffRows(null)).toEqual([]);
  });

  it('names events and values readably', () => {
    expect(eventLabel('MembershipRoleChanged')).toBe('Membership role changed');
    expect(show({ a: 1 })).toBe('{"a":1}');
  });
});

describe('byDay', () => {
  it('groups events newest first under Today, Yesterday and dates', () => {
    const now = new Date(2026, 2, 12, 15, 0);
    const at = (d: number, h: number) => new Date(2026, 2, d, h, 0).toISOString();
    const days = byDay([{ occurred_at: at(12, 14) }, { occurred_at: at(12, 9) }, { occurred_at: at(11, 20) }, { occurred_at: at(3, 8) }], now);
    expect(days.map((d) => [d.label, d.events.length])).toEqual([
      ['Today', 2],
      ['Yesterday', 1],
      [expect.stringMatching(/3/), 1],
    ]);
  });
});
