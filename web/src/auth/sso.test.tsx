import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../test/fakeApi';
import { renderSignedIn } from '../test/render';

const identity = (over = {}) => ({
  provider: 'acme',
  email: 'ada@acme.example',
  created_at: '2026-01-01T10:00:00Z',
  last_login_at: '2026-01-02T10:00:00Z',
  unlinkable: true,
  ...over,
});

const accountRoutes = {
  'GET /api/v1/auth/providers': () =>
    json(200, {
      password_login: true,
      providers: [{ name: 'acme', display_name: 'Acme SSO', available: true, start_url: '/api/v1/auth/oidc/acme/start' }],
    }),
  'GET /api/v1/auth/sessions': () => json(200, { items: [], next_cursor: null }),
  'GET /api/v1/auth/tokens': () => json(200, { items: [], next_cursor: null }),
  'GET /api/v1/auth/email': () => json(200, { email_verified: true, security_notices: true, email_sending: false }),
};

describe('linked sign-ins on the account page', () => {
  it('unlinks a provider after asking, and offers to link it again', async () => {
    let linked = [identity()];
    const fake = fakeApi({
      ...accountRoutes,
      'GET /api/v1/auth/identities': () => json(200, { items: linked }),
      'DELETE /api/v1/auth/identities/:provider': () => {
        linked = [];
        return json(204, null);
      },
    });
    const { user } = await renderSignedIn('/account', fake);
    const section = await screen.findByRole('region', { name: 'Linked sign-ins' });
    await user.click(await within(section).findByRole('button', { name: 'Unlink' }));
    const dialog = await screen.findByRole('dialog', { name: 'Unlink this sign-in?' });
    expect(dialog).toHaveTextContent('You will no longer be able to sign in with Acme SSO');
    await user.click(within(dialog).getByRole('button', { name: 'Unlink' }));
    await waitFor(() => expect(fake.callsTo('DELETE', '/api/v1/auth/identities/acme')).toHaveLength(1));
    expect(await within(section).findByRole('button', { name: 'Link Acme SSO' })).toBeInTheDocument();
    expect(within(section).getByText('No single sign-on provider is linked to your account yet.')).toBeInTheDocument();
  });

  it('explains instead of offering to unlink the last way to sign in', async () => {
    const fake = fakeApi({
      ...accountRoutes,
      'GET /api/v1/auth/identities': () => json(200, { items: [identity({ unlinkable: false })] }),
    });
    await renderSignedIn('/account', fake);
    const section = await screen.findByRole('region', { name: 'Linked sign-ins' });
    expect(await within(section).findByText(/your only way to sign in/)).toBeInTheDocument();
    expect(within(section).queryByRole('button', { name: 'Unlink' })).not.toBeInTheDocument();
  });

  it('shows the server’s refusal in the dialog', async () => {
    const fake = fakeApi({
      ...accountRoutes,
      'GET /api/v1/auth/identities': () => json(200, { items: [identity()] }),
      'DELETE /api/v1/auth/identities/:provider': () => problem(409, 'Acme SSO is your account’s last way to sign in'),
    });
    const { user } = await renderSignedIn('/account', fake);
    const section = await screen.findByRole('region', { name: 'Linked sign-ins' });
    await user.click(await within(section).findByRole('button', { name: 'Unlink' }));
    const dialog = await screen.findByRole('dialog', { name: 'Unlink this sign-in?' });
    await user.click(within(dialog).getByRole('button', { name: 'Unlink' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('last way to sign in');
  });
});
