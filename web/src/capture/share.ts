// What a share (the web app's share_target), the bookmarklet or a link to
// /save hands the save form: the page's URL and title, and a quote.

/** The save form's starting values from /save?url=&title=&text=. */
export interface SharedPage {
  url: string;
  title: string;
  /** Text shared with the link (a selection), kept as a quote in the notes. */
  quote: string;
}

const urlPattern = /https?:\/\/[^\s<>"]+/i;

/**
 * Reads a share's parameters. Phones often put the link in `text` (with
 * words around it) and leave `url` empty: the first http(s) URL found is
 * the link, and the rest of the text is the quote.
 */
export function parseShare(params: URLSearchParams): SharedPage {
  let url = (params.get('url') ?? '').trim();
  let text = (params.get('text') ?? '').trim();
  if (!url) {
    const m = text.match(urlPattern);
    if (m) {
      url = m[0];
      text = text.replace(m[0], '').trim();
    }
  }
  if (text === url) text = '';
  return { url, title: (params.get('title') ?? '').trim(), quote: text };
}

/** Notes that carry a quote (Markdown block quote), then the person's own note. */
export function notesWithQuote(quote: string, note: string): string {
  const q = quote
    .trim()
    .split(/\r?\n/)
    .map((l) => `> ${l}`.trimEnd())
    .join('\n');
  const n = note.trim();
  if (!quote.trim()) return n;
  return n ? `${q}\n\n${n}` : q;
}

/**
 * The bookmarklet's code: it opens this dashboard's save form in a small
 * window with the current page's URL, title and selected text.
 */
export function bookmarklet(origin: string): string {
  const code =
    `(function(){var e=encodeURIComponent,s=String(window.getSelection()||'').slice(0,2000);` +
    `window.open('${origin}/save?url='+e(location.href)+'&title='+e(document.title)+'&text='+e(s),` +
    `'atlas-save','width=520,height=720');})()`;
  return `javascript:${code}`;
}
