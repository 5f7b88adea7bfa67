import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const three = [item({ id: 'i1', title: 'One' }), item({ id: 'i2', title: 'Two' }), item({ id: 'i3', title: 'Three' })];

function api(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role: 'editor' })),
    'GET /api/v1/collections': () => json(200, page([collection({ role: 'editor' }), collection({ id: 'c2', name: 'Archive', role: 'editor' })])),
    'GET /api/v1/collections/:id/tags': () => json(200, page([])),
    'GET /api/v1/collections/:id/items': () => json(200, page(three)),
    ...extra,
  });
}

describe('ItemsPage bulk actions', () => {
  it('selects a range with shift-click and tags it', async () => {
    const fake = api({ 'POST /api/v1/items/bulk/tags': () => json(200, { item_ids: ['i1', 'i2', 'i3'] }) });
    await renderSignedIn('/collections/c1', fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('checkbox', { name: 'Select One' }));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByRole('checkbox', { name: 'Select Three' }));
    await user.keyboard('{/Shift}');
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    expect(within(bar).getByText('3')).toBeInTheDocument();
    await user.type(within(bar).getByLabelText('Tag'), 'later');
    await user.click(within(bar).getByRole('button', { name: 'Add tag' }));
    expect(fake.callsTo('POST', '/api/v1/items/bulk/tags')[0]?.body).toEqual({ item_ids: ['i1', 'i2', 'i3'], add: ['later'] });
  });

  it('moves to a collection the person may write to', async () => {
    const fake = api({ 'POST /api/v1/items/bulk/move': () => json(200, { item_ids: ['i2'] }) });
    await renderSignedIn('/collections/c1', fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('checkbox', { name: 'Select Two' }));
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    await user.selectOptions(within(bar).getByLabelText('Collection'), await within(bar).findByRole('option', { name: 'Archive' }));
    await user.click(within(bar).getByRole('button', { name: 'Move' }));
    expect(fake.callsTo('POST', '/api/v1/items/bulk/move')[0]?.body).toEqual({ item_ids: ['i2'], collection_id: 'c2' });
  });

  it('deletes the selection and offers undo', async () => {
    const fake = api({
      'POST /api/v1/items/bulk/delete': () => json(200, { item_ids: ['i1', 'i2', 'i3'], undo_token: 'tok', undo_until: '2026-01-01T10:10:00Z' }),
      'POST /api/v1/items/bulk/restore': () => json(200, { item_ids: ['i1', 'i2', 'i3'] }),
    });
    await renderSignedIn('/collections/c1', fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Select all' }));
    await user.click(within(screen.getByRole('region', { name: 'Bulk actions' })).getByRole('button', { name: 'Delete 3' }));
    const status = await screen.findByText(/Deleted 3 items/);
    await user.click(within(status).getByRole('button', { name: 'Undo' }));
    expect(fake.callsTo('POST', '/api/v1/items/bulk/restore')[0]?.body).toEqual({ undo_token: 'tok' });
  });

  it('selects all matching items across pages', async () => {
    const more = [item({ id: 'i4', title: 'Four' }), item({ id: 'i5', title: 'Five' })];
    const fake = api({
      'GET /api/v1/collections/:id/items': ({ url }) => (url.searchParams.get('cursor') === 'p2' ? json(200, page(more)) : json(200, page(three, 'p2'))),
      'POST /api/v1/items/bulk/delete': () => json(200, { item_ids: [], undo_token: 'tok', undo_until: '2026-01-01T10:10:00Z' }),
    });
    await renderSignedIn('/collections/c1', fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /^Select all/ }));
    const bar = await screen.findByRole('region', { name: 'Bulk actions' });
    await user.click(await within(bar).findByRole('button', { name: 'Delete 5' }));
    expect(fake.callsTo('POST', '/api/v1/items/bulk/delete')[0]?.body).toEqual({ item_ids: ['i1', 'i2', 'i3', 'i4', 'i5'] });
  });

  it('moves with j and k, focuses the item and selects it with x', async () => {
    await renderSignedIn('/collections/c1', api());
    const user = userEvent.setup();
    await screen.findByRole('link', { name: 'Three' });
    await user.keyboard('jjjkx');
    expect(screen.getByRole('link', { name: 'Two' })).toHaveFocus();
    expect(screen.getByRole('checkbox', { name: 'Select Two' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Select One' })).not.toBeChecked();
  });

  it('saves a pasted link at once', async () => {
    const fake = api({ 'POST /api/v1/collections/:id/items': () => json(201, item({ id: 'i9', title: 'https://example.com/a', enrichment: 'enriching' })) });
    await renderSignedIn('/collections/c1', fake);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Paste a link to save it'), 'https://example.com/a');
    await user.click(screen.getByRole('button', { name: 'Save link' }));
    expect(fake.callsTo('POST', '/api/v1/collections/c1/items')[0]?.body).toEqual({ title: 'https://example.com/a', source_url: 'https://example.com/a' });
  });
});
