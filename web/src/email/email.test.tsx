import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, problem } from '../test/fakeApi';
import { renderApp, renderSignedIn } from '../test/render';

describe('password reset', () => {
  it('is offered on the login page and answers the same for any address', async () => {
    const fake = fakeApi({
      'POST /api/v1/auth/password-reset': () => json(202, { message: 'If an account has this address, a reset link is on its way.' }),
    });
    const { user } = renderApp('/login', fake);
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    await user.type(await screen.findByLabelText('Email'), ' ada@example.com ');
    await user.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect(await screen.findByRole('status')).toHaveTextContent('If an account uses ada@example.com, a link to choose a new password is on its way.');
    expect(fake.callsTo('POST', '/api/v1/auth/password-reset')[0]?.body).toEqual({ email: 'ada@example.com' });
  });

  it('sets the new password with the token after # and never sends the token elsewhere', async () => {
    const fake = fakeApi({ 'POST /api/v1/auth/password-reset/confirm': () => json(204, null) });
    const { user } = renderApp('/reset-password#token=abc_DEF-123', fake);
    await user.type(await screen.findByLabelText('New password'), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Your new password is set, and you were signed out everywhere.');
    expect(fake.callsTo('POST', '/api/v1/auth/password-reset/confirm')[0]?.body).toEqual({ token: 'abc_DEF-123', new_password: 'a brand new password' });
  });

  it('explains a used or expired link', async () => {
    const fake = fakeApi({
      'POST /api/v1/auth/password-reset/confirm': () =>
        problem(422, 'validation failed', [{ location: 'body.token', message: 'this reset link is invalid, already used or expired' }]),
    });
    const { user } = renderApp('/reset-password#token=used', fake);
    await user.type(await screen.findByLabelText('New password'), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This link is invalid, already used or expired.');
  });
});

describe('account email settings', () => {
  it('shows the verification status and turns security notices off', async () => {
    let notices = true;
    const fake = fakeApi({
      'GET /api/v1/auth/email': () => json(200, { email_verified: false, security_notices: notices, email_sending: true }),
      'PATCH /api/v1/auth/email': ({ body }) => {
        notices = (body as { security_notices: boolean }).security_notices;
        return json(200, { email_verified: false, security_notices: notices, email_sending: true });
      },
      'POST /api/v1/auth/email/verification': () => json(202, null),
      'GET /api/v1/auth/sessions': () => json(200, { items: [], next_cursor: null }),
      'GET /api/v1/auth/tokens': () => json(200, { items: [], next_cursor: null }),
    });
    const { user } = await renderSignedIn('/account', fake);
    expect(await screen.findByText('not confirmed yet')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send the confirmation link again' }));
    expect(await screen.findByRole('button', { name: 'Link sent: check your inbox' })).toBeDisabled();
    const box = screen.getByRole('checkbox', { name: /Email me when my password changes/ });
    expect(box).toBeChecked();
    await user.click(box);
    await waitFor(() => expect(box).not.toBeChecked());
    expect(fake.callsTo('PATCH', '/api/v1/auth/email')[0]?.body).toEqual({ security_notices: false });
  });
});

describe('invitation links', () => {
  it('asks a signed-out holder to sign in or register first', async () => {
    renderApp('/invitations/accept#token=inv-token', fakeApi({}));
    expect(await screen.findByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/register?next=%2Finvitations%2Faccept');
  });

  it('accepts once signed in and opens the collection', async () => {
    const fake = fakeApi({
      'POST /api/v1/invitations/accept': () => json(200, { collection_id: 'c1', role: 'editor' }),
    });
    const { user } = renderApp('/invitations/accept#token=inv-token', fake);
    await user.click(await screen.findByRole('link', { name: 'Sign in' }));
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await user.click(await screen.findByRole('button', { name: 'Accept invitation' }));
    await waitFor(() => expect(fake.callsTo('POST', '/api/v1/invitations/accept')[0]?.body).toEqual({ token: 'inv-token' }));
  });

  it('confirms an address from the emailed link', async () => {
    const fake = fakeApi({ 'POST /api/v1/auth/verify-email': () => json(204, null) });
    renderApp('/verify-email#token=v-token', fake);
    expect(await screen.findByText('Your email address is confirmed.')).toBeInTheDocument();
    expect(fake.callsTo('POST', '/api/v1/auth/verify-email')).toEqual([expect.objectContaining({ body: { token: 'v-token' } })]);
  });
});
