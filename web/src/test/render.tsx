// Renders the whole app in a MemoryRouter against a fake API, optionally signed in
// through the real login page (the token only ever lives in memory).
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { AppProviders, AppRoutes, newQueryClient } from '../App';
import type { fakeApi } from './fakeApi';

export function renderApp(path: string, api: ReturnType<typeof fakeApi>) {
  // No delay between keystrokes: the tests are about behaviour, not typing speed.
  const user = userEvent.setup({ delay: null });
  const utils = render(
    <MemoryRouter initialEntries={[path]}>
      <AppProviders clientOptions={{ baseUrl: 'http://atlas.test', fetch: api.fetch }} queryClient={newQueryClient({ retryDelay: 10 })}>
        <AppRoutes />
      </AppProviders>
    </MemoryRouter>,
  );
  return { user, ...utils };
}

/** Opens path, which sends us to the login page, signs in and waits to be back. */
export async function renderSignedIn(path: string, api: ReturnType<typeof fakeApi>) {
  const r = renderApp(path, api);
  await signIn(r.user);
  return r;
}

export async function signIn(user: ReturnType<typeof userEvent.setup>, password = 'correct horse battery') {
  await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('button', { name: 'Sign out' });
}
