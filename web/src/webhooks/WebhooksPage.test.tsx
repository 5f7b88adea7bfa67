import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Role, Webhook, WebhookDelivery } from '../api/types';
import { collection, fakeApi, json, page, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const hook: Webhook = {
  id: 'w1',
  collection_id: 'c1',
  owner_id: 'u-owner',
  url: 'https://hooks.example.com/atlas',
  description: 'chat',
  event_types: ['ItemCreated'],
  enabled: false,
  ordered: false,
  disabled_reason: 'the receiver answered 410 Gone',
  failing_since: null,
  previous_secret_expires_at: null,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
};

const delivery: WebhookDelivery = {
  id: 'd1',
  event_id: 'e1',
  event_type: 'ItemCreated',
  status: 'delivered',
  reason: null,
  payload: {},
  attempts: [{ outcome: 'delivered', status_code: 204, latency_ms: 12, response_excerpt: 'ok', error: null, at: '2026-01-01T10:00:01Z' }],
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:01Z',
};

function api(role: Role) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role })),
    'GET /api/v1/collections/:id/webhooks': () => json(200, page([hook])),
    'POST /api/v1/collections/:id/webhooks': ({ body }) =>
      (body as { url: string }).url.includes('@')
        ? problem(422, 'validation failed', [{ location: 'body.url', message: 'must not contain credentials' }])
        : json(201, { ...hook, id: 'w2', url: (body as { url: string }).url, secret: 'whsec_c2VjcmV0c2VjcmV0' }),
    'GET /api/v1/webhooks/:id/deliveries': () => json(200, page([delivery])),
    'POST /api/v1/webhooks/:id/deliveries/:delivery_id/send-again': () => json(202, { ...delivery, status: 'pending' }),
    'POST /api/v1/webhooks/:id/test': () => json(202, { ...delivery, id: 'd2', event_type: 'WebhookTest', status: 'pending' }),
  });
}

describe('WebhooksPage', () => {
  it('registers a webhook that gets each item\'s events in order', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/webhooks', fake);
    const form = await screen.findByRole('form', { name: 'Register a webhook' });
    await user.type(within(form).getByLabelText('Endpoint URL'), 'https://hooks.example.com/sync');
    await user.click(within(form).getByRole('checkbox', { name: /In order per item/ }));
    await user.click(within(form).getByRole('button', { name: 'Register webhook' }));
    await within(form).findByLabelText('Signing secret');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/webhooks')[0]?.body).toEqual({
      url: 'https://hooks.example.com/sync',
      event_types: ['ItemCreated'],
      ordered: true,
    });
  });

  it('registers a webhook and shows its secret once', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/webhooks', fake);
    const form = await screen.findByRole('form', { name: 'Register a webhook' });
    await user.type(within(form).getByLabelText('Endpoint URL'), 'https://hooks.example.com/new');
    await user.click(within(form).getByRole('checkbox', { name: 'ItemDeleted' }));
    await user.click(within(form).getByRole('button', { name: 'Register webhook' }));
    expect(await within(form).findByLabelText('Signing secret')).toHaveTextContent('whsec_c2VjcmV0c2VjcmV0');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/webhooks')[0]?.body).toEqual({
      url: 'https://hooks.example.com/new',
      event_types: ['ItemCreated', 'ItemDeleted'],
    });
  });

  it('shows the server’s reason for a refused URL at the field', async () => {
    const { user } = await renderSignedIn('/collections/c1/webhooks', api('owner'));
    const form = await screen.findByRole('form', { name: 'Register a webhook' });
    await user.type(within(form).getByLabelText('Endpoint URL'), 'https://me:pw@hooks.example.com/');
    await user.click(within(form).getByRole('button', { name: 'Register webhook' }));
    expect(await within(form).findByText(/must not contain credentials/)).toBeInTheDocument();
  });

  it('lists deliveries, why Atlas disabled a webhook, and sends again', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/webhooks', fake);
    const card = await screen.findByRole('listitem', { name: 'Webhook https://hooks.example.com/atlas' });
    expect(within(card).getByText(/Atlas disabled it: the receiver answered 410 Gone/)).toBeInTheDocument();
    expect(await within(card).findByText(/HTTP 204 in 12 ms \(1 attempt\)/)).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Send again: ItemCreated' }));
    await user.click(within(card).getByRole('button', { name: 'Send test event' }));
    expect(fake.callsTo('POST', '/api/v1/webhooks/w1/deliveries/d1/send-again')).toHaveLength(1);
    expect(fake.callsTo('POST', '/api/v1/webhooks/w1/test')).toHaveLength(1);
  });

  it('tells non-owners only owners manage webhooks, without asking the API', async () => {
    const fake = api('editor');
    await renderSignedIn('/collections/c1/webhooks', fake);
    expect(await screen.findByText(/Only owners manage/)).toBeInTheDocument();
    expect(fake.callsTo('GET', '/api/v1/collections/c1/webhooks')).toHaveLength(0);
    expect(screen.queryByRole('link', { name: 'Webhooks' })).not.toBeInTheDocument();
  });
});
