import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../test/fakeApi';
import { renderApp, renderSignedIn } from '../test/render';

const provider = (over = {}) => ({
  name: 'acme',
  display_name: 'Acme SSO',
  available: true,
  start_url: '/api/v1/auth/oidc/acme/start',
  end_session_url: 'https://login.acme.example/logout?client_id=atlas',
  ...over,
});

describe('login page with single sign-on', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows a button per provider beside the password form, and says when one is down', async () => {
    const api = fakeApi({
      'GET /api/v1/auth/providers': () =>
        json(200, { password_login: true, providers: [provider(), provider({ name: 'down', display_name: 'Down SSO', available: false })] }),
    });
    renderApp('/login?next=%2Fcollections%2Fc1', api);
    const button = await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(button).toHaveAttribute('href', '/api/v1/auth/oidc/acme/start?next=%2Fcollections%2Fc1');
    expect(screen.getByRole('alert')).toHaveTextContent('Down SSO cannot be reached right now. You can still sign in with your password.');
    expect(screen.getByLabelText('Password')).toBeInTheDocument();
  });

  it('with passwords off and one provider, goes straight to it', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const api = fakeApi({ 'GET /api/v1/auth/providers': () => json(200, { password_login: false, providers: [provider()] }) });
    renderApp('/login', api);
    await waitFor(() => expect(assign).toHaveBeenCalledWith('/api/v1/auth/oidc/acme/start'));
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Create an account' })).not.toBeInTheDocument();
  });

  it('after signing out, offers the provider’s sign-out instead of going back to it', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    let passwords = true; // on to sign in with the form, then off: SSO only, one provider
    const api = fakeApi({ 'GET /api/v1/auth/providers': () => json(200, { password_login: passwords, providers: [provider()] }) });
    const { user } = await renderSignedIn('/', api);
    passwords = false;
    await user.click(await screen.findByRole('button', { name: /^Sign out$/ }));
    const out = await screen.findByRole('link', { name: 'Also sign out of Acme SSO' });
    expect(out).toHaveAttribute('href', 'https://login.acme.example/logout?client_id=atlas');
    expect(assign).not.toHaveBeenCalled();
  });
});
