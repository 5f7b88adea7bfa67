import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Collection, Role } from '../api/types';
import { collection, fakeApi, item, json, page, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

function api(role: Role, over: Partial<Collection> = {}) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role, ...over })),
    'GET /api/v1/collections/:id/tags': () =>
      json(200, page([
        { name: 'go', item_count: 2 },
        { name: 'db', item_count: 1 },
      ])),
    'GET /api/v1/collections/:id/items': ({ url }) => {
      const tags = url.searchParams.getAll('tag');
      if (url.searchParams.get('cursor') === 'page-2') return json(200, page([item({ id: 'i3', title: 'Third' })]));
      if (tags.includes('db')) return json(200, page([item({ id: 'i2', title: 'Postgres locks', tags: ['db'] })]));
      return json(200, page([item(), item({ id: 'i2', title: 'Postgres locks', tags: ['db'] })], 'page-2'));
    },
    'DELETE /api/v1/items/:id': () => problem(403, 'forbidden'),
  });
}

describe('ItemsPage', () => {
  it('shows editors the controls to add, edit and delete', async () => {
    await renderSignedIn('/collections/c1', api('editor'));
    expect(await screen.findByRole('link', { name: 'New item' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Edit The Go Memory Model' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete The Go Memory Model' })).toBeInTheDocument();
  });

  it('shows viewers no edit controls and says why', async () => {
    await renderSignedIn('/collections/c1', api('viewer'));
    expect(await screen.findByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New item' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Edit/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
    expect(screen.getByText(/only owners and editors change its items/)).toBeInTheDocument();
  });

  it('follows the permissions the server sends, not the role', async () => {
    await renderSignedIn('/collections/c1', api('editor', { permissions: { read: true, write_items: false, manage: false } }));
    expect(await screen.findByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New item' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
  });

  it('filters by tag through the API and loads the next page when the end of the list is in view', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1', fake);
    await screen.findByRole('link', { name: 'Postgres locks' });
    expect(await screen.findByRole('link', { name: 'Third' })).toBeInTheDocument();
    expect(fake.calls.find((c) => c.query.get('cursor') === 'page-2')?.query.get('limit')).toBe('100');
    expect(fake.calls.find((c) => !c.query.get('cursor') && c.path.endsWith('/items'))?.query.get('limit')).toBe('20');

    await user.click(screen.getByRole('button', { name: /^db/ }));
    expect(screen.getByRole('button', { name: /^db/ })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Items' })).getAllByRole('heading')).toHaveLength(1));
    expect(fake.calls.some((c) => c.query.getAll('tag').join() === 'db')).toBe(true);
  });

  it('puts an item back and explains a refused delete', async () => {
    const { user } = await renderSignedIn('/collections/c1', api('editor'));
    await user.click(await screen.findByRole('button', { name: 'Delete The Go Memory Model' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete item?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete item' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('You do not have permission');
    // Rolled back: the item is listed again.
    expect(await screen.findByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
  });
});
