import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, me, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const event = (over: Record<string, unknown>) => ({
  event_id: String(Math.random()),
  type: 'ItemUpdated',
  version: 1,
  occurred_at: new Date().toISOString(),
  recorded_at: new Date().toISOString(),
  actor_user_id: 'u-bob',
  actor_name: 'Bob Builder',
  entity: { type: 'item', id: 'i1', collection_id: 'c1', name: 'The Go Memory Model', gone: false, collection_name: 'Reading list' },
  data: {},
  trace_id: 't',
  request_id: 'r',
  ...over,
});

describe('AuditPage', () => {
  it('names items, people and collections, and says when an item is gone', async () => {
    const fake = fakeApi({
      'GET /api/v1/audit': () =>
        json(200, page([
          event({}),
          event({ type: 'ItemDeleted', actor_user_id: me.id, actor_name: me.display_name,
            entity: { type: 'item', id: 'i2', collection_id: 'c1', name: 'Old notes', gone: true, collection_name: 'Reading list' } }),
        ])),
      'GET /api/v1/collections': () => json(200, page([{ id: 'c1', name: 'Reading list' }])),
    });
    await renderSignedIn('/audit', fake);
    expect(await screen.findByRole('link', { name: 'item ‘The Go Memory Model’' })).toHaveAttribute('href', '/items/i1');
    expect(screen.getByText(/by Bob Builder, in Reading list/)).toBeInTheDocument();
    expect(screen.getByText('deleted item ‘Old notes’')).toBeInTheDocument();
    expect(screen.getByText(/by you/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Today' })).toBeInTheDocument();
    expect(screen.queryByText(/i2/)).not.toBeInTheDocument();
  });

  it('filters with pickers, not ids', async () => {
    const fake = fakeApi({
      'GET /api/v1/audit': () => json(200, page([])),
      'GET /api/v1/collections': () => json(200, page([{ id: 'c1', name: 'Reading list' }])),
      'GET /api/v1/collections/:id/members': () =>
        json(200, page([{ user_id: 'u-bob', display_name: 'Bob Builder', email: 'b@example.com', role: 'editor' }])),
    });
    await renderSignedIn('/audit', fake);
    await screen.findByText('No activity matches');
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    await userEvent.selectOptions(await screen.findByLabelText('Collection'), await screen.findByRole('option', { name: 'Reading list' }));
    await userEvent.selectOptions(screen.getByLabelText('Person'), await screen.findByRole('option', { name: 'Bob Builder' }));
    await userEvent.selectOptions(screen.getByLabelText('Change'), 'ItemDeleted');
    await userEvent.type(screen.getByLabelText('From'), '2026-03-01');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    const last = fake.callsTo('GET', '/api/v1/audit').at(-1);
    expect(last?.query.get('collection_id')).toBe('c1');
    expect(last?.query.get('actor_user_id')).toBe('u-bob');
    expect(last?.query.get('type')).toBe('ItemDeleted');
    expect(last?.query.get('from')).toBe(new Date(2026, 2, 1).toISOString());
  });
});
