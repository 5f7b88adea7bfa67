import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, json, page, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

describe('CollectionsPage', () => {
  it('says when there are no collections, and creates one', async () => {
    const created = collection({ id: 'c9', name: 'Papers' });
    const fake = fakeApi({
      'GET /api/v1/collections': () => json(200, page([])),
      'POST /api/v1/collections': () => json(201, created),
      'GET /api/v1/collections/:id': () => json(200, created),
      'GET /api/v1/collections/:id/items': () => json(200, page([])),
      'GET /api/v1/collections/:id/tags': () => json(200, page([])),
    });
    const { user } = await renderSignedIn('/', fake);
    expect(await screen.findByText('No collections yet')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New collection' }));
    const dialog = screen.getByRole('dialog', { name: 'New collection' });
    await user.type(within(dialog).getByLabelText('Name'), '  Papers ');
    await user.click(within(dialog).getByRole('button', { name: 'Create collection' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Papers' })).toBeInTheDocument();
    expect(fake.callsTo('POST', '/api/v1/collections')[0]?.body).toEqual({ name: 'Papers', description: '' });
  });

  it('shows each role and offers rename/delete to owners only', async () => {
    const fake = fakeApi({
      'GET /api/v1/collections': () => json(200, page([collection(), collection({ id: 'c2', name: 'Shared with me', role: 'viewer' })])),
    });
    await renderSignedIn('/', fake);
    const mine = (await screen.findByRole('link', { name: 'Reading list' })).closest('li') as HTMLElement;
    const theirs = screen.getByRole('link', { name: 'Shared with me' }).closest('li') as HTMLElement;
    expect(within(mine).getByText('Owner')).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Rename Reading list' })).toBeInTheDocument();
    expect(within(theirs).getByText('Viewer')).toBeInTheDocument();
    expect(within(theirs).queryByRole('button')).not.toBeInTheDocument();
  });

  it('explains a server error and retries', async () => {
    let fail = true;
    const fake = fakeApi({
      'GET /api/v1/collections': () => (fail ? problem(500, 'internal error; quote request id r1') : json(200, page([collection()]))),
    });
    const { user } = await renderSignedIn('/', fake);
    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert).toHaveTextContent('Something went wrong on the server');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Reading list' })).toBeInTheDocument();
  });
});
