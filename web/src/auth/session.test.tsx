import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { collection, fakeApi, item, json, page, problem } from '../test/fakeApi';
import { renderApp, renderSignedIn } from '../test/render';
import { safeNext } from './RequireAuth';

const routes = () => ({
  'GET /api/v1/collections': () => json(200, page([collection()])),
  'GET /api/v1/collections/:id': () => json(200, collection()),
  'GET /api/v1/collections/:id/items': () => json(200, page([item()])),
  'GET /api/v1/collections/:id/tags': () => json(200, page([])),
});

describe('session', () => {
  it('sends you to sign in and back to the page you asked for', async () => {
    const api = fakeApi(routes());
    await renderSignedIn('/collections/c1', api);
    expect(await screen.findByRole('heading', { level: 1, name: 'Reading list' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
    // Every API call after login carries the bearer token from memory.
    const items = api.callsTo('GET', '/api/v1/collections/c1/items');
    expect(items[0]?.auth).toBe('Bearer token-1');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it('says plainly when the password is wrong', async () => {
    const api = fakeApi(routes());
    const { user } = renderApp('/', api);
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right');
  });

  it('ends the session on a 401 and offers to come back', async () => {
    let expired = false;
    const api = fakeApi({ ...routes(), 'GET /api/v1/collections/:id/items': () => (expired ? problem(401, 'token expired') : json(200, page([item()]))) });
    const { user } = await renderSignedIn('/', api);
    expired = true;
    await user.click(await screen.findByRole('link', { name: 'Reading list' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Atlas' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended');
    // Signing in again returns to the collection.
    expired = false;
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Reading list' })).toBeInTheDocument();
  });

  it('stays signed in across a reload: the session cookie is traded for a token', async () => {
    const api = fakeApi({ ...routes(), 'POST /api/v1/auth/refresh': () => json(200, { access_token: 'token-r', token_type: 'Bearer', expires_in: 900 }) });
    renderApp('/collections/c1', api);
    expect(await screen.findByRole('heading', { level: 1, name: 'Reading list' })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auth/login')).toHaveLength(0);
    expect(api.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(api.callsTo('GET', '/api/v1/collections/c1/items')[0]?.auth).toBe('Bearer token-r');
  });

  it('renews an expired access token once and carries on', async () => {
    let refreshes = 0;
    const api = fakeApi({
      ...routes(),
      // No cookie at start-up; after signing in, the cookie renews the token.
      'POST /api/v1/auth/refresh': () =>
        ++refreshes === 1 ? problem(401, 'no session') : json(200, { access_token: 'token-2', token_type: 'Bearer', expires_in: 900 }),
      'GET /api/v1/collections/:id/items': ({ req }) =>
        req.headers.get('Authorization') === 'Bearer token-2' ? json(200, page([item()])) : problem(401, 'invalid or expired access token'),
    });
    const { user } = await renderSignedIn('/', api);
    await user.click(await screen.findByRole('link', { name: 'Reading list' }));
    expect(await screen.findByRole('link', { name: 'The Go Memory Model' })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(2); // start-up, then one renewal
    expect(screen.queryByRole('heading', { name: 'Sign in to Atlas' })).not.toBeInTheDocument();
  });

  it('sign out forgets everything', async () => {
    const api = fakeApi(routes());
    const { user } = await renderSignedIn('/', api);
    await screen.findByRole('link', { name: 'Reading list' });
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Atlas' })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auth/logout')[0]?.auth).toBe('Bearer token-1');
    const before = api.calls.length;
    await waitFor(() => expect(api.calls.length).toBe(before));
  });

  it('only follows same-site return paths', () => {
    expect(safeNext('/collections/c1?tag=go')).toBe('/collections/c1?tag=go');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
