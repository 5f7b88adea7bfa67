import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const saved = { item_id: 'i7', collection_id: 'c2', collection_name: 'Work', title: 'Memory model', source_url: 'https://go.dev/ref/mem', version: 1, can_edit: true };

function api(matches: unknown[]) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role: 'editor' })),
    'GET /api/v1/collections/:id/tags': () => json(200, page([])),
    'GET /api/v1/collections/:id/items': () => json(200, page([])),
    'GET /api/v1/duplicates/check': () => json(200, { items: matches }),
    'POST /api/v1/collections/:id/items': () => json(201, item({ id: 'i9' })),
  });
}

describe('saving a link that is saved already', () => {
  it('quick add names the collections first and saves only when asked', async () => {
    const fake = api([saved]);
    const { user } = await renderSignedIn('/collections/c1', fake);
    await user.type(await screen.findByLabelText('Paste a link to save it'), 'https://www.go.dev/ref/mem/');
    await user.click(screen.getByRole('button', { name: 'Save link' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Already saved in Work');
    expect(within(alert).getByRole('link', { name: 'Memory model' })).toHaveAttribute('href', '/items/i7');
    expect(fake.callsTo('GET', '/api/v1/duplicates/check')[0]?.query.get('url')).toBe('https://www.go.dev/ref/mem/');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/items')).toHaveLength(0);
    await user.click(within(alert).getByRole('button', { name: 'Save it anyway' }));
    expect(fake.callsTo('POST', '/api/v1/collections/c1/items')).toHaveLength(1);
  });

  it('the new-item form warns too', async () => {
    const fake = api([saved]);
    const { user } = await renderSignedIn('/collections/c1/items/new', fake);
    await user.type(await screen.findByLabelText(/^Title/), 'Memory');
    await user.type(screen.getByLabelText(/^URL/), 'https://go.dev/ref/mem');
    await user.click(screen.getByRole('button', { name: 'Add item' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Already saved in Work');
    await user.click(within(alert).getByRole('button', { name: 'Don’t save' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(fake.callsTo('POST', '/api/v1/collections/c1/items')).toHaveLength(0);
  });

  it('saves a new link at once', async () => {
    const fake = api([]);
    const { user } = await renderSignedIn('/collections/c1', fake);
    await user.type(await screen.findByLabelText('Paste a link to save it'), 'https://new.example/');
    await user.click(screen.getByRole('button', { name: 'Save link' }));
    await expect.poll(() => fake.callsTo('POST', '/api/v1/collections/c1/items').length).toBe(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
