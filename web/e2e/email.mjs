// Email in the e2e flow, read back from the real Mailpit that `scripts/web e2e`
// points Atlas at: an owner invites an address without an account, the invitee
// registers from the emailed link and joins with the role; then the invitee
// forgets their password and resets it from the emailed link. Email is sent by
// the worker: on a stack without one (`atlas serve` alone) the steps are
// skipped, saying why.
import { check, eventually, Skip } from './harness.mjs';
import { newPage, stillSignedIn } from './context.mjs';

const mailpitURL = process.env.ATLAS_E2E_MAILPIT_URL;
const run = Date.now().toString(36);
const invitee = { name: 'Grace Invitee', email: `grace-${run}@example.com`, password: 'invited horse battery', newPassword: 'reset horse battery' };

function needsWorker() {
  if (!mailpitURL) throw new Error('ATLAS_E2E_MAILPIT_URL is required (scripts/web e2e sets it)');
  if (process.env.ATLAS_E2E_STACK !== 'dev' && process.env.ATLAS_E2E_REQUIRE_PIPELINE !== '1') {
    throw new Skip('no worker on this stack (atlas serve alone): no email is sent');
  }
}

async function mailpit(path) {
  const res = await fetch(mailpitURL + path);
  check(res.ok, `Mailpit ${path}: HTTP ${res.status}`);
  return res.json();
}

/** Waits for the email to address whose subject contains subject and returns the path of its link to linkPath. */
async function emailedLink(address, subject, linkPath) {
  return eventually(
    async () => {
      const list = await mailpit('/api/v1/search?query=' + encodeURIComponent(`to:"${address}"`));
      for (const summary of list.messages ?? []) {
        if (!summary.Subject.includes(subject)) continue;
        const msg = await mailpit('/api/v1/message/' + encodeURIComponent(summary.ID));
        const m = msg.Text.match(new RegExp(`https?://[^\\s]+(${linkPath}#token=[A-Za-z0-9_-]+)`));
        if (m) return m[1];
      }
      return null;
    },
    { timeout: 30_000, message: `an email "${subject}" to ${address}` },
  );
}

export const emailSteps = [
  {
    name: 'invite an address without an account',
    async run(s) {
      needsWorker();
      const page = (s.page = s.ownerPage);
      await page.goto(s.collectionURL + '/members');
      await stillSignedIn(page, s.collectionURL + '/members');
      await page.getByLabel('Email').fill(invitee.email);
      await page.getByLabel('Role', { exact: true }).selectOption('editor');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.getByText(`${invitee.email} has no account yet: an invitation to join as editor was emailed.`).waitFor();
      await page.getByRole('region', { name: 'Pending invitations' }).getByRole('cell', { name: invitee.email, exact: true }).waitFor();
    },
  },
  {
    name: 'accept the emailed invitation after registering',
    async run(s) {
      needsWorker();
      const link = await emailedLink(invitee.email, 'invited you to', '/invitations/accept');
      const page = (s.page = s.inviteePage = await newPage(s.browser, s.consoleErrors, 'invitee'));
      await page.goto(link);
      const create = page.getByRole('link', { name: 'Create an account' });
      await create.waitFor();
      check(!page.url().includes('#token='), 'the token leaves the address bar');
      await create.click();
      await page.getByLabel('Your name').fill(invitee.name);
      await page.getByLabel('Email').fill(invitee.email);
      await page.getByLabel('Password').fill(invitee.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      await eventually(async () => new URL(page.url()).pathname === s.collectionURL, { message: 'the collection opens' });
      // An editor may add items.
      await page.getByRole('link', { name: 'New item' }).waitFor();
      const owner = (s.page = s.ownerPage);
      await owner.reload();
      await owner.getByRole('cell', { name: invitee.email, exact: true }).waitFor();
      check((await owner.getByRole('region', { name: 'Pending invitations' }).getByText(invitee.email).count()) === 0, 'the invitation is used up');
    },
  },
  {
    name: 'reset a forgotten password from the email',
    async run(s) {
      needsWorker();
      const page = (s.page = await newPage(s.browser, s.consoleErrors, 'forgetful'));
      await page.goto('/login');
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByLabel('Email').fill(invitee.email);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
      const link = await emailedLink(invitee.email, 'Reset your Atlas password', '/reset-password');
      await page.goto(link);
      await page.getByLabel('New password').fill(invitee.newPassword);
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByText('Your new password is set, and you were signed out everywhere.').waitFor();
      // The invitee's other browser was signed out; the new password works.
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Email').fill(invitee.email);
      await page.getByLabel('Password').fill(invitee.newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await s.inviteePage.reload();
      await s.inviteePage.getByRole('heading', { name: 'Sign in to Atlas' }).waitFor();
    },
  },
];
