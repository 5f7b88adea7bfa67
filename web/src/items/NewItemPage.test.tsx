import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

describe('NewItemPage', () => {
  it('says where the link is already saved', async () => {
    const fake = fakeApi({
      'GET /api/v1/collections/:id': () => json(200, collection({ role: 'editor' })),
      'GET /api/v1/collections/:id/tags': () => json(200, page([])),
      'POST /api/v1/collections/:id/items': () =>
        json(201, item({ id: 'i9', duplicates: [{ item_id: 'i1', collection_id: 'c2', collection_name: 'Reading list',
          title: 'The Go Memory Model', source_url: 'https://go.dev/ref/mem', version: 1, can_edit: true }] })),
    });
    const { user } = await renderSignedIn('/collections/c1/items/new', fake);
    await user.type(await screen.findByLabelText(/^Title/), 'Memory model');
    await user.click(screen.getByRole('button', { name: 'Add item' }));
    const status = await screen.findByRole('status');
    expect(status).toHaveTextContent('already saved in');
    expect(status).toHaveTextContent('Reading list');
    expect(screen.getByRole('link', { name: 'The Go Memory Model' })).toHaveAttribute('href', '/items/i1');
  });
});

describe('ItemsPage link status', () => {
  it('marks a dead link', async () => {
    const fake = fakeApi({
      'GET /api/v1/collections/:id': () => json(200, collection({ role: 'editor' })),
      'GET /api/v1/collections/:id/tags': () => json(200, page([])),
      'GET /api/v1/collections/:id/items': () =>
        json(200, page([item({ link: { status: 'gone', http_status: 404, moved_to: null, soft_404: false, detail: 'Not Found', checked_at: null, changed_at: null } })])),
    });
    await renderSignedIn('/collections/c1', fake);
    expect(await screen.findByText('dead link')).toBeInTheDocument();
  });
});
