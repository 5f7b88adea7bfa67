import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Role } from '../api/types';
import { collection, fakeApi, json, member, page } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const link = { id: 'l1', created_by: 'u-owner', created_at: '2026-01-01T10:00:00Z', expires_at: null, indexable: false };

function api(role: Role) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role })),
    'GET /api/v1/collections/:id/members': () => json(200, page([member({ role })])),
    'GET /api/v1/collections/:id/public-links': () => json(200, page([link])),
    'POST /api/v1/collections/:id/public-links': () => json(201, { ...link, id: 'l2', token: 'sekret', path: '/p/sekret' }),
    'DELETE /api/v1/collections/:id/public-links/:link_id': () => json(204, null),
    'POST /api/v1/auth/tokens': ({ body }) =>
      json(201, { id: 't1', name: (body as { name: string }).name, scope: 'feed', created_at: '2026-01-01T10:00:00Z', expires_at: null, last_used_at: null, token: 'atlas_feed_x' }),
  });
}

describe('Feeds and public link panels', () => {
  it('lets an owner publish, copy the link and revoke one', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const panel = await screen.findByRole('region', { name: 'Public link' });
    await user.click(within(panel).getByRole('button', { name: 'Publish' }));
    expect(await within(panel).findByTestId('public-link-url')).toHaveTextContent(/\/p\/sekret$/);
    expect(fake.callsTo('POST', '/api/v1/collections/c1/public-links')[0]?.body).toEqual({ indexable: false });
    await user.click(within(panel).getByRole('button', { name: /^Revoke/ }));
    expect(fake.callsTo('DELETE', '/api/v1/collections/c1/public-links/l1')).toHaveLength(1);
  });

  it('shows viewers the links without publish or revoke', async () => {
    await renderSignedIn('/collections/c1/members', api('viewer'));
    const panel = await screen.findByRole('region', { name: 'Public link' });
    expect(await within(panel).findByText('Never')).toBeInTheDocument();
    expect(within(panel).queryByRole('button', { name: 'Publish' })).not.toBeInTheDocument();
    expect(within(panel).queryByRole('button', { name: /^Revoke/ })).not.toBeInTheDocument();
  });

  it('creates a feed token and shows the feed URLs with it', async () => {
    const fake = api('viewer');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const panel = await screen.findByRole('region', { name: 'Feeds' });
    await user.click(within(panel).getByRole('button', { name: 'Create feed token' }));
    expect(await within(panel).findByTestId('feed-url-atom')).toHaveTextContent('/feeds/collections/c1/atom?token=atlas_feed_x');
    expect(fake.callsTo('POST', '/api/v1/auth/tokens')[0]?.body).toMatchObject({ scope: 'feed' });
    await user.type(within(panel).getByRole('searchbox'), 'kafka');
    expect(within(panel).getByTestId('feed-url-json')).toHaveTextContent('q=kafka');
  });
});
