// Tag normalisation, exactly as the server's item.NormalizeTags does it: the
// same table of cases (item/testdata/tags.json) is checked on both sides.

/** The server's limits (item.MaxTagLen, item.MaxTags). */
export const maxTagLength = 64;
export const maxTags = 50;

// Go's unicode.IsSpace (what strings.Fields splits on). Unlike JavaScript's
// \s it holds U+0085 and not U+FEFF.
const space = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
/** Go's unicode.IsControl: a C0 or C1 control character. */
function isControl(c: string): boolean {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n <= 0x9f);
}

/** Lower-cases one code point at a time (Go's simple case mapping, not JavaScript's full one). */
function lower(s: string): string {
  let out = '';
  for (const c of s) out += c === '\u0130' ? 'i' : c.toLowerCase();
  return out;
}

/** Orders strings by code point, as Go compares UTF-8 bytes (JavaScript's < compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** One tag folded: inner whitespace collapsed to one space, trimmed, lower-cased. */
function fold(tag: string): string {
  return lower(tag.split(space).filter(Boolean).join(' '));
}

/**
 * Trims, lower-cases and de-duplicates tags, collapsing inner whitespace and
 * dropping empty ones, sorted: what the server stores for them.
 */
export function normaliseTags(tags: readonly string[]): string[] {
  const folded = tags.map(fold).filter(Boolean).sort(byCodePoint);
  return folded.filter((t, i) => i === 0 || t !== folded[i - 1]);
}

/** Why the server would refuse these tags (its message), or undefined when it accepts them. */
export function tagError(tags: readonly string[]): string | undefined {
  for (const t of tags.map(fold)) {
    if ([...t].length > maxTagLength) return `each tag must be at most ${maxTagLength} characters`;
    if ([...t].some(isControl)) return 'tags must not contain control characters';
  }
  if (normaliseTags(tags).length > maxTags) return `an item can have at most ${maxTags} tags`;
  return undefined;
}
