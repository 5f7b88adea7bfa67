import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LinkHealth } from '../api/types';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

function link(over: Partial<LinkHealth>): LinkHealth {
  return { status: 'ok', http_status: 200, moved_to: null, soft_404: false, detail: '', checked_at: '2026-03-02T10:00:00Z', changed_at: null, ...over };
}

const moved = item({ id: 'i1', title: 'Old post', version: 4, link: link({ status: 'moved', http_status: 301, moved_to: 'https://new.example/post', detail: 'redirects permanently' }) });
const dead = item({ id: 'i2', title: 'Gone post', link: link({ status: 'gone', http_status: 410, detail: 'Gone' }) });
const htmlCopy = { kind: 'html', url: '/api/v1/items/i2/archive/html', content_type: 'text/html', size_bytes: 10, sha256: 'ab', created_at: '2026-03-01T10:00:00Z' };

describe('NeedsAttentionPage', () => {
  it('lists the links to fix with their last check and adopts a new address', async () => {
    const fake = fakeApi({
      'GET /api/v1/collections/:id': () => json(200, collection({ role: 'editor' })),
      'GET /api/v1/collections/:id/items': () => json(200, page([moved, dead])),
      'POST /api/v1/items/:id/use-moved-url': () => json(200, item({ id: 'i1', source_url: 'https://new.example/post', version: 5 })),
    });
    const { user } = await renderSignedIn('/collections/c1/attention', fake);
    const table = await screen.findByRole('table', { name: 'Needs attention' });
    expect(fake.callsTo('GET', '/api/v1/collections/c1/items')[0]?.query.getAll('link_status')).toEqual(['attention']);
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Moved');
    expect(rows[1]).toHaveTextContent('Now at https://new.example/post');
    expect(rows[2]).toHaveTextContent('Dead (not found)');
    expect(rows[2]).toHaveTextContent('HTTP 410: Gone');
    expect(within(rows[2] as HTMLElement).queryByRole('button')).not.toBeInTheDocument();
    await user.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Use the new address for “Old post”' }));
    expect(fake.callsTo('POST', '/api/v1/items/i1/use-moved-url')[0]?.body).toEqual({ version: 4 });
  });
});

describe('ItemPage link notice', () => {
  it('offers the archived copy of a dead link', async () => {
    const fake = fakeApi({
      'GET /api/v1/items/:id': () => json(200, dead),
      'GET /api/v1/collections/:id': () => json(200, collection()),
      'GET /api/v1/jobs': () => json(200, page([])),
      'GET /api/v1/items/:id/archive': () => json(200, { item_id: 'i2', status: 'archived', blocked_resources: 0, copies: [htmlCopy] }),
      'GET /api/v1/items/:id/archive/html': () => new Response('<p>Kept page</p>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    });
    const { user } = await renderSignedIn('/items/i2', fake);
    const note = await screen.findByRole('note', { name: 'Link health' });
    expect(note).toHaveTextContent('The link is dead');
    expect(note).toHaveTextContent('HTTP 410: Gone');
    await user.click(await within(note).findByRole('button', { name: 'open the archived copy' }));
    const frame = await screen.findByTitle('Archived copy of Gone post');
    expect(frame.getAttribute('srcdoc')).toContain('Kept page');
  });

  it('says when a dead link has no archived copy', async () => {
    const fake = fakeApi({
      'GET /api/v1/items/:id': () => json(200, dead),
      'GET /api/v1/collections/:id': () => json(200, collection()),
      'GET /api/v1/jobs': () => json(200, page([])),
      'GET /api/v1/items/:id/archive': () => json(200, { item_id: 'i2', status: 'none', blocked_resources: 0, copies: [] }),
    });
    await renderSignedIn('/items/i2', fake);
    expect(await screen.findByText(/no archived copy was kept/)).toBeInTheDocument();
  });
});
