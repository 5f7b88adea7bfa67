import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

// A few bytes standing for Atlas' JPEG thumbnail (the dashboard never decodes it).
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

function api() {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection()),
    'GET /api/v1/collections/:id/tags': () => json(200, page([])),
    'GET /api/v1/collections/:id/items': () =>
      json(200, page([
        item({ id: 'i1', title: 'With a preview', preview_url: '/api/v1/items/i1/preview?v=00aa', icon_url: '/api/v1/items/i1/icon?v=11bb' }),
        item({ id: 'i2', title: 'Without one', source_url: 'https://www.example.org/x' }),
      ])),
    'GET /api/v1/items/:id/preview': () => new Response(jpeg, { status: 200, headers: { 'Content-Type': 'image/jpeg' } }),
    'GET /api/v1/items/:id/icon': () => new Response('<svg onload="alert(1)"/>', { status: 200, headers: { 'Content-Type': 'image/svg+xml' } }),
  });
}

describe('item thumbnails', () => {
  it("shows Atlas' preview with alt text, and a placeholder without asking where the item has none", async () => {
    const fake = api();
    await renderSignedIn('/collections/c1', fake);
    const img = await screen.findByRole('img', { name: 'Preview of “With a preview”' });
    expect(img.getAttribute('src')).toBe('data:image/jpeg;base64,/9j/4AECAw==');
    expect(fake.calls.some((c) => c.path === '/api/v1/items/i1/preview' && c.query.get('v') === '00aa' && c.auth?.startsWith('Bearer '))).toBe(true);
    expect(fake.calls.some((c) => c.path === '/api/v1/items/i2/preview')).toBe(false);
    expect(screen.getByText('E')).toHaveClass('preview-placeholder');
  });

  it('never shows an answer that is not a JPEG or PNG', async () => {
    const fake = api();
    await renderSignedIn('/collections/c1', fake);
    await screen.findByRole('img', { name: 'Preview of “With a preview”' });
    await waitFor(() => expect(fake.calls.some((c) => c.path === '/api/v1/items/i1/icon')).toBe(true));
    expect(document.querySelector('.site-icon img')).toBeNull();
  });
});
