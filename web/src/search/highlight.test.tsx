import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Highlight, parseHighlight, unescapeHTML } from './highlight';

describe('highlights', () => {
  it('splits marked and plain runs and decodes entities', () => {
    expect(parseHighlight('Operating <mark>Kubernetes</mark> &amp; <mark>k8s</mark>!')).toEqual([
      { text: 'Operating ', marked: false },
      { text: 'Kubernetes', marked: true },
      { text: ' & ', marked: false },
      { text: 'k8s', marked: true },
      { text: '!', marked: false },
    ]);
    expect(unescapeHTML('&lt;b&gt; &quot;x&quot; &#39;y&#39;')).toBe('<b> "x" \'y\'');
  });

  it('never turns item text into markup', () => {
    const { container } = render(<Highlight fragment={'&lt;img src=x onerror=alert(1)&gt; <mark>go</mark>'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelectorAll('mark')).toHaveLength(1);
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> go');
  });
});
