// Collections in the e2e flow: the New collection dialog, creating one, and
// the collection page at phone width.
import { join } from 'node:path';
import { check, eventually } from './harness.mjs';
import { itemsIn, newPage, outDir, owner } from './context.mjs';

/** The owner opens, dismisses and uses the New collection dialog. */
export const collectionSteps = [
  {
    name: 'dialog focus and escape',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const open = page.getByRole('button', { name: 'New collection' });
      await open.click();
      const dialog = page.getByRole('dialog', { name: 'New collection' });
      await dialog.waitFor();
      await eventually(() => page.evaluate(() => document.activeElement?.id && document.querySelector(`label[for="${document.activeElement.id}"]`)?.textContent === 'Name'), {
        message: 'focus in the Name field',
      });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await eventually(() => page.evaluate(() => document.activeElement?.textContent === 'New collection'), { message: 'focus back on the opener' });
    },
  },
  {
    name: 'create collection',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.getByRole('button', { name: 'New collection' }).click();
      await page.getByLabel('Name').fill('Reading list');
      await page.getByLabel('Description').fill('Articles worth a second look');
      await page.getByRole('button', { name: 'Create collection' }).click();
      await page.getByRole('heading', { level: 1, name: 'Reading list' }).waitFor();
      await page.getByText('No items yet').waitFor();
      s.collectionURL = new URL(page.url()).pathname;
      s.collectionId = s.collectionURL.split('/').pop();
    },
  },
];

/** The collection page fits a phone screen. */
export const phoneSteps = [
  {
    name: 'phone width',
    async run(s) {
      // A new browser (no session cookie yet): sign in, come back to the collection.
      const page = (s.page = await newPage(s.browser, s.consoleErrors, 'phone', { width: 390, height: 844 }));
      await page.goto(s.collectionURL);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname === s.collectionURL);
      await eventually(async () => (await itemsIn(page).count()) > 0, { message: 'items on a phone' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `page is ${overflow}px wider than a phone screen`);
      await page.screenshot({ path: join(outDir, '17-phone-width-viewport.png') });
    },
  },
];
