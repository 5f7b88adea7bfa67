// Members in the e2e flow: inviting a viewer, keeping the last owner, and
// what a viewer may see and not change (the server's permissions).
import { check, eventually } from './harness.mjs';
import { api, itemsIn, owner, stillSignedIn, token, viewer } from './context.mjs';

/** The owner shares the collection with a viewer, who reads but cannot edit. */
export const memberSteps = [
  {
    name: 'invite viewer',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto(s.collectionURL + '/members');
      await stillSignedIn(page, s.collectionURL + '/members');
      // No account has this address: it is invited by email (or, with email off, told so).
      await page.getByLabel('Email').fill(viewer.email.replace(/^victor/, 'nobody'));
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.getByText(/has no account yet: an invitation|No Atlas account/).waitFor();
      await page.getByLabel('Email').fill(viewer.email);
      await page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.getByText(`${viewer.email} was added as viewer.`).waitFor();
      await page.getByRole('cell', { name: viewer.email }).waitFor();
    },
  },
  {
    name: 'last owner cannot leave',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.getByRole('combobox', { name: `Role of ${owner.name}` }).selectOption('viewer');
      await page.getByRole('alert').filter({ hasText: /Could not change the role/ }).waitFor();
      await eventually(async () => (await page.getByRole('combobox', { name: `Role of ${owner.name}` }).inputValue()) === 'owner', {
        message: 'role rolled back to owner',
      });
    },
  },
  {
    name: 'viewer sees items',
    async run(s) {
      const page = (s.page = s.viewerPage);
      await page.goto('/');
      await stillSignedIn(page, '/');
      const card = page.getByRole('listitem').filter({ hasText: 'Reading list' });
      await card.getByText('Viewer').waitFor();
      await card.getByRole('link', { name: 'Reading list' }).click();
      await eventually(async () => (await itemsIn(page).count()) > 0, { message: 'viewer sees the items' });
      await page.getByText(/^Showing 2\d items/).waitFor();
    },
  },
  {
    name: 'viewer cannot edit',
    async run(s) {
      const page = (s.page = s.viewerPage);
      check((await page.getByRole('link', { name: 'New item' }).count()) === 0, 'no New item for a viewer');
      check((await page.getByRole('button', { name: /^Delete/ }).count()) === 0, 'no Delete for a viewer');
      check((await page.getByRole('link', { name: /^Edit/ }).count()) === 0, 'no Edit for a viewer');
      await page.getByText('only owners and editors change its items').waitFor();
      await page.goto(s.itemURL + '?edit=1');
      await stillSignedIn(page, s.itemURL + '?edit=1');
      await page.getByText('You are a viewer in this collection').waitFor();
      check((await page.getByRole('button', { name: 'Edit' }).count()) === 0, 'no Edit button on the item');
      check((await page.getByLabel('Title').count()) === 0, 'no edit form even with ?edit=1');
      await page.goto(s.collectionURL + '/items/new');
      await stillSignedIn(page, s.collectionURL + '/items/new');
      await page.getByText('You cannot add items here').waitFor();
      // The API refuses too, and the app explains a 403 in words.
      const res = await api('PATCH', `/api/v1/items/${s.itemURL.split('/').pop()}`, { token: await token(viewer), body: { title: 'hijack' } });
      check(res.status === 403, `viewer PATCH answered ${res.status}, want 403`);
    },
  },
];
