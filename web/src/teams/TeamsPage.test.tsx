import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TeamRole } from '../api/types';
import { fakeApi, json, me, page, problem, team, teamUser } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const grace = teamUser({ user_id: 'u-grace', email: 'grace@example.com', display_name: 'Grace Hopper', role: 'member' });

function api(role: TeamRole) {
  return fakeApi({
    'GET /api/v1/teams': () => json(200, page([team({ role, can_manage: role === 'owner', member_count: 2 })])),
    'POST /api/v1/teams': ({ body }) => json(201, team({ id: 't9', name: (body as { name: string }).name })),
    'GET /api/v1/teams/:id': ({ params }) =>
      params.id === 'gone' ? problem(404, 'team not found') : json(200, team({ id: params.id, role, can_manage: role === 'owner', member_count: 2 })),
    'PATCH /api/v1/teams/:id': ({ body }) => json(200, team({ name: (body as { name: string }).name })),
    'DELETE /api/v1/teams/:id': () => json(204, null),
    'GET /api/v1/teams/:id/members': () => json(200, page([teamUser({ role }), grace])),
    'POST /api/v1/teams/:id/members': ({ body }) =>
      (body as { email: string }).email === 'nobody@example.com'
        ? problem(404, 'no registered user matches')
        : json(201, teamUser({ user_id: 'u-new', email: (body as { email: string }).email, role: 'member' })),
    'PATCH /api/v1/teams/:id/members/:user_id': () => problem(409, 'a team must keep at least one owner'),
    'DELETE /api/v1/teams/:id/members/:user_id': () => json(204, null),
  });
}

describe('TeamsPage', () => {
  it('lists your teams and creates one', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/teams', fake);
    expect(await screen.findByRole('link', { name: 'Platform' })).toHaveAttribute('href', '/teams/t1');
    const form = screen.getByRole('form', { name: 'New team' });
    await user.type(within(form).getByLabelText('Team name'), ' Research ');
    await user.click(within(form).getByRole('button', { name: 'Create team' }));
    expect(fake.callsTo('POST', '/api/v1/teams')[0]?.body).toEqual({ name: 'Research' });
    expect(await screen.findByRole('heading', { name: 'Research', level: 1 })).toBeInTheDocument();
  });
});

describe('TeamPage', () => {
  it('lets owners add people, and says why a role change is refused', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/teams/t1', fake);
    const form = await screen.findByRole('form', { name: 'Add someone to the team' });
    await user.type(within(form).getByLabelText('Email'), 'nobody@example.com');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('No Atlas account uses that email');
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Email'), 'linus@example.com');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('linus@example.com was added to the team.');
    expect(fake.callsTo('POST', '/api/v1/teams/t1/members')[1]?.body).toEqual({ email: 'linus@example.com', role: 'member' });

    await user.selectOptions(screen.getByRole('combobox', { name: 'Team role of Ada Lovelace' }), 'member');
    expect(await screen.findByText(/Could not change the role: A team must keep at least one owner/)).toBeInTheDocument();
  });

  it('renames and deletes the team', async () => {
    const fake = api('owner');
    const { user } = await renderSignedIn('/teams/t1', fake);
    await user.click(await screen.findByRole('button', { name: 'Rename' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rename team' });
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'Infra');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: 'Infra', level: 1 })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete team' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete team?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete team' }));
    expect(await screen.findByRole('heading', { name: 'Teams', level: 1 })).toBeInTheDocument();
    expect(fake.callsTo('DELETE', '/api/v1/teams/t1')).toHaveLength(1);
  });

  it('shows members the team without management controls and lets them leave', async () => {
    const fake = api('member');
    const { user } = await renderSignedIn('/teams/t1', fake);
    expect(await screen.findByRole('cell', { name: 'grace@example.com' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add someone to the team' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Rename' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Remove Grace/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Leave the team' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave this team?' });
    await user.click(within(dialog).getByRole('button', { name: 'Leave team' }));
    expect(await screen.findByRole('heading', { name: 'Teams', level: 1 })).toBeInTheDocument();
    expect(fake.callsTo('DELETE', `/api/v1/teams/t1/members/${me.id}`)).toHaveLength(1);
  });

  it('says when the team is not yours to see', async () => {
    await renderSignedIn('/teams/gone', api('owner'));
    expect(await screen.findByText('Team not found')).toBeInTheDocument();
  });
});
