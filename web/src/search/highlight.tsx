// Renders search highlights without innerHTML: the API sends HTML-escaped
// fragments whose matches are wrapped in <mark>…</mark>; this splits on the
// marks and decodes the few entities an escaper produces, so nothing in an
// item's text can become markup.
import { Fragment } from 'react';

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#34;': '"', '&#x27;': "'" };

/** Decodes the entities an HTML escaper emits. */
export function unescapeHTML(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#34|#x27);/g, (m) => entities[m] ?? m);
}

/** Splits a fragment into plain and marked runs. */
export function parseHighlight(fragment: string): { text: string; marked: boolean }[] {
  const out: { text: string; marked: boolean }[] = [];
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (let m = re.exec(fragment); m !== null; m = re.exec(fragment)) {
    if (m.index > last) out.push({ text: unescapeHTML(fragment.slice(last, m.index)), marked: false });
    out.push({ text: unescapeHTML(m[1] ?? ''), marked: true });
    last = m.index + m[0].length;
  }
  if (last < fragment.length) out.push({ text: unescapeHTML(fragment.slice(last)), marked: false });
  return out;
}

export function Highlight({ fragment }: { fragment: string }) {
  return (
    <>
      {parseHighlight(fragment).map((run, i) => (run.marked ? <mark key={i}>{run.text}</mark> : <Fragment key={i}>{run.text}</Fragment>))}
    </>
  );
}
