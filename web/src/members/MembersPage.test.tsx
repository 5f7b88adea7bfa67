import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Role } from '../api/types';
import { collection, fakeApi, json, me, member, page, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const grace = member({ user_id: 'u-grace', email: 'grace@example.com', display_name: 'Grace Hopper', role: 'editor' });

function api(role: Role) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role })),
    'GET /api/v1/collections/:id/members': () => json(200, page([member({ role }), grace])),
    'POST /api/v1/collections/:id/members': ({ body }) =>
      (body as { email: string }).email === 'nobody@example.com'
        ? problem(404, 'user not found')
        : json(201, member({ user_id: 'u-new', email: (body as { email: string }).email, role: (body as { role: Role }).role })),
    'PATCH /api/v1/collections/:id/members/:user_id': ({ params }) =>
      params.user_id === me.id ? problem(409, 'a collection must keep at least one owner') : json(200, grace),
  });
}

describe('MembersPage', () => {
  it('lets owners invite by email with a role', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(within(form).getByLabelText('Email'), 'linus@example.com');
    await user.selectOptions(within(form).getByLabelText('Role'), 'editor');
    await user.click(within(form).getByRole('button', { name: 'Invite' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('linus@example.com was added as editor.');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/members')[0]?.body).toEqual({ email: 'linus@example.com', role: 'editor' });
  });

  it('explains an unknown email', async () => {
    const { user } = await renderSignedIn('/collections/c1/members', api('owner'));
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(within(form).getByLabelText('Email'), 'nobody@example.com');
    await user.click(within(form).getByRole('button', { name: 'Invite' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('No Atlas account uses that email');
  });

  it('rolls back a refused role change and says why', async () => {
    const { user } = await renderSignedIn('/collections/c1/members', api('owner'));
    const mine = await screen.findByRole('combobox', { name: 'Role of Ada Lovelace' });
    await user.selectOptions(mine, 'viewer');
    expect(await screen.findByText(/Could not change the role: A collection must keep at least one owner/)).toBeInTheDocument();
    expect(await screen.findByRole('combobox', { name: 'Role of Ada Lovelace' })).toHaveValue('owner');
  });

  it('shows non-owners the list without management controls', async () => {
    await renderSignedIn('/collections/c1/members', api('editor'));
    expect(await screen.findByRole('cell', { name: 'grace@example.com' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Invite someone' })).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: /Role of/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Leave' })).toBeInTheDocument();
  });
});
