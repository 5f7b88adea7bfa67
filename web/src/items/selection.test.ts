import { describe, expect, it } from 'vitest';
import { clickSelect } from './selection';

const ids = ['a', 'b', 'c', 'd', 'e'];

describe('clickSelect', () => {
  it('toggles one item', () => {
    expect([...clickSelect(ids, new Set(), 'b', null, false)]).toEqual(['b']);
    expect([...clickSelect(ids, new Set(['b']), 'b', 'b', false)]).toEqual([]);
  });
  it('selects a range with shift, either direction', () => {
    expect([...clickSelect(ids, new Set(['b']), 'd', 'b', true)].sort()).toEqual(['b', 'c', 'd']);
    expect([...clickSelect(ids, new Set(['d']), 'a', 'd', true)].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
  it('clears a range with shift when the clicked item was selected', () => {
    expect([...clickSelect(ids, new Set(['a', 'b', 'c', 'd']), 'c', 'a', true)].sort()).toEqual(['d']);
  });
});
