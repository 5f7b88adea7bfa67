import { describe, expect, it } from 'vitest';
import { bookmarklet, notesWithQuote, parseShare } from './share';

describe('parseShare', () => {
  it('takes url, title and text as they are', () => {
    expect(parseShare(new URLSearchParams('url=https://go.dev/&title=Go&text=A+quote'))).toEqual({
      url: 'https://go.dev/',
      title: 'Go',
      quote: 'A quote',
    });
  });
  it('finds the link in the text when a phone shares it there', () => {
    const got = parseShare(new URLSearchParams({ text: 'Look at this https://example.com/a?b=1 today', title: '' }));
    expect(got.url).toBe('https://example.com/a?b=1');
    expect(got.quote).toBe('Look at this  today');
  });
  it('drops text that only repeats the URL', () => {
    expect(parseShare(new URLSearchParams({ url: 'https://x.example/', text: 'https://x.example/' })).quote).toBe('');
  });
  it('ignores a javascript: link in the text', () => {
    expect(parseShare(new URLSearchParams({ text: 'javascript:alert(1)' })).url).toBe('');
  });
});

describe('notesWithQuote', () => {
  it('quotes every line, then the note', () => {
    expect(notesWithQuote('one\ntwo', 'mine')).toBe('> one\n> two\n\nmine');
    expect(notesWithQuote('', ' mine ')).toBe('mine');
    expect(notesWithQuote('only', '')).toBe('> only');
  });
});

describe('bookmarklet', () => {
  it('opens the save form of this origin with the page encoded', () => {
    const b = bookmarklet('https://atlas.example');
    expect(b.startsWith('javascript:')).toBe(true);
    expect(b).toContain("'https://atlas.example/save?url='+e(location.href)");
    expect(b).toContain('e(document.title)');
  });
});
