import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

describe('SavePage', () => {
  it('opens prefilled from a share and saves to a collection the person may write to, with the text as a quote', async () => {
    const fake = fakeApi({
      'GET /api/v1/collections': () =>
        json(200, page([collection({ id: 'c0', name: 'Read only', role: 'viewer' }), collection({ id: 'c1', name: 'Reading list' })])),
      'GET /api/v1/collections/:id': () => json(200, collection()),
      'GET /api/v1/collections/:id/tags': () => json(200, page([])),
      'GET /api/v1/jobs': () => json(200, page([])),
      'GET /api/v1/items/:id/archive': () => json(200, { item_id: 'i7', status: 'none', blocked_resources: 0, copies: [] }),
      'GET /api/v1/items/:id': () => json(200, item({ id: 'i7', title: 'Shared page' })),
      'POST /api/v1/collections/:id/items': () => json(201, item({ id: 'i7', title: 'Shared page' })),
    });
    const { user } = await renderSignedIn('/save?title=Shared+page&text=Worth+reading+https%3A%2F%2Fexample.com%2Fa', fake);
    const select = await screen.findByLabelText('Collection');
    expect(select).toHaveValue('c1');
    expect(screen.queryByRole('option', { name: 'Read only' })).not.toBeInTheDocument();
    expect(screen.getByLabelText(/^Title/)).toHaveValue('Shared page');
    expect(screen.getByLabelText(/^URL/)).toHaveValue('https://example.com/a');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('heading', { name: 'Shared page' });
    const post = fake.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/collections/c1/items');
    expect(post?.body).toMatchObject({ title: 'Shared page', source_url: 'https://example.com/a', notes: '> Worth reading' });
  });
});
