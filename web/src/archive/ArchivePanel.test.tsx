import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';
import { inertForFrame, sanitizeReadable } from './ArchivePanel';

const copies = [
  { kind: 'html', url: '/api/v1/items/i1/archive/html', content_type: 'text/html; charset=utf-8', size_bytes: 2048, sha256: 'ab', created_at: '2026-01-02T10:00:00Z' },
  { kind: 'readable', url: '/api/v1/items/i1/archive/readable', content_type: 'text/html; charset=utf-8', size_bytes: 1024, sha256: 'cd', created_at: '2026-01-02T10:00:00Z' },
];

function html(body: string): Response {
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

function api(archive: unknown) {
  return fakeApi({
    'GET /api/v1/items/:id': () => json(200, item()),
    'GET /api/v1/collections/:id': () => json(200, collection()),
    'GET /api/v1/jobs': () => json(200, page([])),
    'GET /api/v1/items/:id/archive': () => json(200, archive),
    'GET /api/v1/items/:id/archive/readable': () =>
      html('<h1>Kept article</h1><script>document.title="ran"</script><p onclick="alert(1)">Body</p>'),
    'GET /api/v1/items/:id/archive/html': () => html('<html><head><title>Copy</title></head><body>The archived page</body></html>'),
  });
}

describe('ArchivePanel', () => {
  it('opens the reading view sanitised and the archived page in a sandbox without scripts', async () => {
    const { user } = await renderSignedIn('/items/i1', api({ item_id: 'i1', status: 'archived', blocked_resources: 1, copies }));
    await user.click(await screen.findByRole('button', { name: 'Reading view' }));
    const reading = await screen.findByTestId('reading-view');
    expect(reading).toHaveTextContent('Kept article');
    expect(reading.innerHTML).not.toContain('script');
    expect(reading.innerHTML).not.toContain('onclick');
    expect(screen.getByText(/1 resources on addresses Atlas may not fetch were left out/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Archived copy' }));
    const frame = await screen.findByTitle('Archived copy of The Go Memory Model');
    expect(frame).toHaveAttribute('sandbox', '');
    expect(frame.getAttribute('srcdoc')).toContain('The archived page');
  });

  it('says why archiving failed', async () => {
    await renderSignedIn('/items/i1', api({ item_id: 'i1', status: 'failed', code: 'too_large', reason: 'the page is larger than 5 MiB',
      blocked_resources: 0, attempted_at: '2026-01-02T10:00:00Z', copies: [] }));
    expect(await screen.findByText('the page is larger than 5 MiB')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reading view' })).not.toBeInTheDocument();
  });
});

describe('sanitizeReadable', () => {
  it('keeps the article and drops what could run or restyle the page', () => {
    const out = sanitizeReadable(
      '<p>Kept <a href="https://example.com/">link</a></p><script>alert(1)</script>' +
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">js</a>' +
        '<svg><script>alert(4)</script></svg><style>body{display:none}</style><iframe src="https://e.example/"></iframe>' +
        '<p style="position:fixed">styled</p>',
    );
    expect(out).toContain('<p>Kept <a href="https://example.com/">link</a></p>');
    for (const bad of ['<script', 'onerror', 'javascript:', '<style', '<iframe', 'position:fixed']) {
      expect(out).not.toContain(bad);
    }
  });
});

describe('inertForFrame', () => {
  it('keeps the page and drops styles the dashboard policy would refuse, and anything that runs', () => {
    const out = inertForFrame(
      '<html><head><style>p{color:red}</style><link rel="stylesheet" href="data:text/css,p{}"></head>' +
        '<body><p style="color:blue" onclick="alert(1)">Kept</p><img src="data:image/png;base64,AA=="><script>alert(2)</script></body></html>',
    );
    expect(out).toContain('Kept');
    expect(out).toContain('<img src="data:image/png;base64,AA==">');
    for (const gone of ['<style', '<link', 'style=', 'onclick', '<script']) expect(out).not.toContain(gone);
  });
});
