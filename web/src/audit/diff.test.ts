import { describe, expect, it } from 'vitest';
import { diffRows, eventLabel, show } from './diff';

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
