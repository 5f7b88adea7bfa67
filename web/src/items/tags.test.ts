import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseTags, tagError } from './tags';

// The table the server's item.NormalizeTags is tested against too
// (item/item_test.go, TestNormalizeTags_SharedVectors).
interface Vector {
  name: string;
  in: string[];
  want?: string[];
  error?: string;
}
const vectors = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../item/testdata/tags.json'), 'utf8')) as { cases: Vector[] }
).cases;

describe('normaliseTags matches the server', () => {
  it('has cases to check', () => {
    expect(vectors.length).toBeGreaterThan(10);
  });
  it.each(vectors)('$name', (v) => {
    expect(tagError(v.in)).toBe(v.error);
    if (v.want) expect(normaliseTags(v.in)).toEqual(v.want);
  });
});
