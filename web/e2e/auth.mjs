// Accounts and sessions in the e2e flow: registering, reloads and tabs that
// stay signed in, signing out everywhere from a second browser, API tokens,
// and signing out.
import { check, eventually } from './harness.mjs';
import { api, newPage, owner, register, stillSignedIn, viewer } from './context.mjs';

/** The owner and the viewer create their accounts. */
export const registerSteps = [
  {
    name: 'register owner',
    async run(s) {
      s.page = s.ownerPage;
      await register(s.ownerPage, owner);
      await s.ownerPage.getByText('No collections yet').waitFor();
    },
  },
  {
    name: 'register viewer',
    async run(s) {
      s.page = s.viewerPage;
      await register(s.viewerPage, viewer);
    },
  },
];

/** Sessions across reloads, tabs and browsers; API tokens. */
export const sessionSteps = [
  {
    name: 'tabs reload together and stay signed in',
    async run(s) {
      // Two tabs of one browser share the session cookie; their refreshes take
      // turns (a refresh token works once, and reuse would end the session).
      await s.ownerPage.goto(s.collectionURL);
      await stillSignedIn(s.ownerPage, s.collectionURL);
      const second = await s.ownerPage.context().newPage();
      s.page = second;
      await second.goto(s.collectionURL);
      await stillSignedIn(second, s.collectionURL);
      for (let i = 0; i < 3; i++) {
        await Promise.all([s.ownerPage.reload(), second.reload()]);
        await Promise.all([stillSignedIn(s.ownerPage, s.collectionURL), stillSignedIn(second, s.collectionURL)]);
      }
      // Both tabs still talk to the API with live tokens.
      await second.getByRole('link', { name: 'Members' }).click();
      await second.getByRole('cell', { name: viewer.email }).waitFor();
      await s.ownerPage.getByRole('link', { name: 'Members' }).click();
      await s.ownerPage.getByRole('cell', { name: viewer.email }).waitFor();
      await second.close();
      s.page = s.ownerPage;
    },
  },
  {
    name: 'sign out everywhere else from a second browser',
    async run(s) {
      // The viewer signs in on another browser (a second context: its own
      // cookies) and ends every other session from the Account page.
      const other = await newPage(s.browser, s.consoleErrors, 'viewer-2');
      s.page = other;
      await other.goto('/login');
      await other.getByLabel('Email').fill(viewer.email);
      await other.getByLabel('Password').fill(viewer.password);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('link', { name: viewer.name }).click();
      await other.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      const sessions = other.getByRole('table', { name: 'Your sessions' });
      await sessions.getByText('(this browser)').waitFor();
      await eventually(async () => (await sessions.getByRole('row').count()) >= 3, { message: 'both browsers listed' });
      await other.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await other.getByText('Signed out everywhere else.').waitFor();
      await eventually(async () => (await sessions.getByRole('row').count()) === 2, { message: 'only this browser left' });
      s.viewerOther = other;
    },
  },
  {
    name: 'session ends and comes back',
    async run(s) {
      // The first browser's session ended on the server: its next request
      // sends it to the sign-in page, saying so, and back after signing in.
      const page = (s.page = s.viewerPage);
      await page.getByRole('link', { name: viewer.name }).click();
      await page.waitForURL(/\/login\?next=/);
      await page.getByText('Your session has ended').waitFor();
      check(decodeURIComponent(page.url()).includes('next=/account'), 'login remembers where to return');
      await page.getByLabel('Email').fill(viewer.email);
      await page.getByLabel('Password').fill('wrong password here');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The email or password is not right').waitFor();
      await page.getByLabel('Password').fill(viewer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname === '/account');
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      // The second browser is still signed in.
      await s.viewerOther.reload();
      await stillSignedIn(s.viewerOther, '/account');
      await s.viewerOther.context().close();
      await page.goto(s.collectionURL + '/members');
      await stillSignedIn(page, s.collectionURL + '/members');
      await page.getByRole('cell', { name: owner.email }).waitFor();
      check((await page.getByRole('button', { name: 'Invite' }).count()) === 0, 'viewers cannot invite');
    },
  },
  {
    name: 'API token shown once',
    async run(s) {
      const page = (s.page = s.viewerPage);
      await page.getByRole('link', { name: viewer.name }).click();
      await page.getByLabel('Token name').fill('e2e script');
      await page.getByRole('button', { name: 'Create token' }).click();
      const secret = (await page.getByTestId('new-token').textContent())?.trim() ?? '';
      check(secret.startsWith('atlas_pat_'), `token secret looks like ${secret.slice(0, 12)}…`);
      const me = await api('GET', '/api/v1/auth/me', { token: secret });
      check(me.status === 200 && me.body.email === viewer.email, `the token acts as the viewer: HTTP ${me.status}`);
      const write = await api('POST', '/api/v1/collections', { token: secret, body: { name: 'From a read token' } });
      check(write.status === 403, `a read token cannot write: HTTP ${write.status}`);
      await page.getByRole('table', { name: 'Your API tokens' }).getByRole('cell', { name: 'e2e script', exact: true }).waitFor();
      await page.reload();
      await stillSignedIn(page, '/account');
      await page.getByRole('table', { name: 'Your API tokens' }).getByRole('cell', { name: 'e2e script', exact: true }).waitFor();
      check((await page.getByTestId('new-token').count()) === 0, 'the secret is not shown again');
    },
  },
];

/** The owner signs out, on the server too. */
export const signOutSteps = [
  {
    name: 'sign out',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Atlas' }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Sign in to Atlas' }).waitFor();
      // Signed out on the server too: a reload does not sign back in.
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to Atlas' }).waitFor();
    },
  },
];
