import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Role } from '../api/types';
import { collection, fakeApi, json, me, member, page, problem, team, teamMember } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const grace = member({ user_id: 'u-grace', email: 'grace@example.com', display_name: 'Grace Hopper', role: 'editor' });

function api(role: Role) {
  return fakeApi({
    'GET /api/v1/collections/:id': () => json(200, collection({ role })),
    'GET /api/v1/collections/:id/members': () => json(200, page([member({ role }), grace, teamMember()])),
    'GET /api/v1/teams': () => json(200, page([team(), team({ id: 't2', name: 'Research' })])),
    'POST /api/v1/collections/:id/members': ({ body }) => {
      const b = body as { email?: string; team_id?: string; role: Role };
      if (b.team_id) return json(201, teamMember({ team_id: b.team_id, role: b.role }));
      return b.email === 'nobody@example.com' ? problem(404, 'user not found') : json(201, member({ user_id: 'u-new', email: b.email, role: b.role }));
    },
    'PATCH /api/v1/collections/:id/members/teams/:team_id': ({ body }) => json(200, teamMember({ role: (body as { role: Role }).role })),
    'DELETE /api/v1/collections/:id/members/teams/:team_id': () => json(204, null),
    'PATCH /api/v1/collections/:id/members/:user_id': ({ params }) =>
      params.user_id === me.id ? problem(409, 'a collection must keep at least one owner') : json(200, grace),
    'GET /api/v1/collections/:id/invitations': () => json(200, page([pending])),
    'POST /api/v1/collections/:id/invitations': ({ body }) =>
      emailOff
        ? problem(409, 'email is off on this server, so no invitation can be sent')
        : json(201, { ...pending, id: 'inv-new', email: (body as { email: string }).email, role: (body as { role: Role }).role }),
    'DELETE /api/v1/collections/:id/invitations/:invitation_id': () => json(204, null),
  });
}

let emailOff = false;

const pending = {
  id: 'inv-1',
  email: 'pending@example.com',
  role: 'viewer' as Role,
  invited_by: me.id,
  created_at: '2026-01-01T10:00:00Z',
  expires_at: '2999-01-08T10:00:00Z',
};

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

  it('emails an invitation to an address without an account', async () => {
    emailOff = false;
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(within(form).getByLabelText('Email'), 'nobody@example.com');
    await user.selectOptions(within(form).getByLabelText('Role'), 'editor');
    await user.click(within(form).getByRole('button', { name: 'Invite' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('nobody@example.com has no account yet: an invitation to join as editor was emailed.');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/invitations')[0]?.body).toEqual({ email: 'nobody@example.com', role: 'editor' });
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says why no invitation can be sent when email is off', async () => {
    emailOff = true;
    const { user } = await renderSignedIn('/collections/c1/members', api('owner'));
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await user.type(within(form).getByLabelText('Email'), 'nobody@example.com');
    await user.click(within(form).getByRole('button', { name: 'Invite' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('No Atlas account uses that email, and the invitation could not be sent');
    expect(within(form).getByRole('alert')).toHaveTextContent(/email is off/i);
    emailOff = false;
  });

  it('lists pending invitations to owners, who revoke them', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const section = await screen.findByRole('region', { name: 'Pending invitations' });
    expect(within(section).getByRole('cell', { name: 'pending@example.com' })).toBeInTheDocument();
    await user.click(within(section).getByRole('button', { name: 'Revoke the invitation of pending@example.com' }));
    await waitFor(() => expect(fake.callsTo('DELETE', '/api/v1/collections/c1/invitations/inv-1')).toHaveLength(1));
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
    expect(screen.queryByRole('region', { name: 'Pending invitations' })).not.toBeInTheDocument();
  });

  it('shares with one of your teams and lists the team apart from people', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    const row = await screen.findByRole('row', { name: /Platform/ });
    expect(within(row).getByText('Team')).toBeInTheDocument();
    expect(within(row).getByText('Every member of the team')).toBeInTheDocument();
    const form = await screen.findByRole('form', { name: 'Share with a team' });
    await within(form).findByRole('option', { name: 'Research' });
    await user.selectOptions(within(form).getByLabelText('Team'), 't2');
    await user.selectOptions(within(form).getByLabelText("Team's role"), 'editor');
    await user.click(within(form).getByRole('button', { name: 'Share' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Research was added as editor.');
    expect(fake.callsTo('POST', '/api/v1/collections/c1/members')[0]?.body).toEqual({ team_id: 't2', role: 'editor' });
  });

  it("changes a team's role and removes the team through the team routes", async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/collections/c1/members', fake);
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Role of Platform' }), 'editor');
    expect(fake.callsTo('PATCH', '/api/v1/collections/c1/members/teams/t1')[0]?.body).toEqual({ role: 'editor' });
    await user.click(screen.getByRole('button', { name: 'Remove Platform' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove team?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove team' }));
    await expect.poll(() => fake.callsTo('DELETE', '/api/v1/collections/c1/members/teams/t1').length).toBe(1);
  });
});
