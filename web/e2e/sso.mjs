// Single sign-on in the e2e flow, through the real OpenID provider that
// `scripts/web e2e` starts (scripts/oidc-provider) and configures as "Local
// SSO": the first sign-in creates the account, the second (another browser)
// finds the same one, the account page lists the linked sign-in, and signing
// out offers the provider's own sign-out.
import { check, eventually } from './harness.mjs';
import { newPage } from './context.mjs';

/** The provider's test user with a verified email (scripts/oidc-provider). */
const ssoUser = { username: 'verified', password: 'verysecure', name: 'Vera Verified', email: 'sso-verified@example.test' };

/** Signs in on page through the provider's own login form and lands on next. */
async function signInWithSSO(page, next) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('link', { name: 'Sign in with Local SSO' }).click();
  // The provider's page, on its own origin.
  await page.locator('#username').fill(ssoUser.username);
  await page.locator('#password').fill(ssoUser.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => url.pathname === next);
  await page.getByRole('link', { name: ssoUser.name }).waitFor();
}

export const ssoSteps = [
  {
    name: 'first single sign-on creates the account',
    async run(s) {
      const page = (s.page = await newPage(s.browser, s.consoleErrors, 'sso'));
      await signInWithSSO(page, '/account');
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      check((await page.getByText(ssoUser.email).count()) > 0, 'the account has the provider’s email');
      const linked = page.getByRole('region', { name: 'Linked sign-ins' });
      await linked.getByText('Local SSO').waitFor();
      // The account was made by the sign-on: its password is unknown, so the provider is its only way in.
      await linked.getByText('your only way to sign in', { exact: false }).waitFor();
      check((await linked.getByRole('button', { name: 'Unlink' }).count()) === 0, 'the last way to sign in offers no Unlink');
      s.ssoPage = page;
    },
  },
  {
    name: 'second single sign-on finds the same account',
    async run(s) {
      const page = (s.page = await newPage(s.browser, s.consoleErrors, 'sso-2'));
      await signInWithSSO(page, '/account');
      // The same account: both browsers' sessions are listed.
      const sessions = page.getByRole('table', { name: 'Your sessions' });
      await sessions.getByText('(this browser)').waitFor();
      await eventually(async () => (await sessions.getByRole('row').count()) === 3, { message: 'both SSO browsers listed (header + 2)' });
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor(); // the session survives a reload
      // Signing out offers the provider's sign-out (its end_session_endpoint).
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Atlas' }).waitFor();
      const out = page.getByRole('link', { name: 'Also sign out of Local SSO' });
      check((await out.getAttribute('href'))?.includes('/end_session?client_id=native'), 'RP-initiated logout link');
    },
  },
];
