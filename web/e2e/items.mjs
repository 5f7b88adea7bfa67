// Items in the e2e flow: adding them with tags (and tag autocomplete),
// filtering by tag, paging, editing.
import { check, eventually } from './harness.mjs';
import { addItemInUI, api, itemsIn, owner, stillSignedIn, token } from './context.mjs';

/** The owner fills the collection and edits an item. */
export const itemSteps = [
  {
    name: 'add items with tags',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await addItemInUI(page, { title: 'The Go Memory Model', url: 'https://go.dev/ref/mem', tags: ['Go', 'concurrency'] });
      await addItemInUI(page, { title: 'Notes on Postgres locking', tags: ['postgres'] });
      await addItemInUI(page, { title: 'Share memory by communicating', tags: ['go'], pickWithArrow: 'concurrency' });
      await eventually(async () => (await itemsIn(page).count()) === 3, { message: '3 items listed' });
      check(await page.getByRole('button', { name: /^concurrency/ }).isVisible(), 'tag filter lists concurrency');
    },
  },
  {
    name: 'filter by tag',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.getByRole('button', { name: /^postgres/ }).click();
      await eventually(async () => (await itemsIn(page).count()) === 1, { message: '1 item tagged postgres' });
      check(page.url().includes('tag=postgres'), 'filter is in the URL');
      await page.getByRole('button', { name: /^postgres/ }).click();
      await page.getByRole('button', { name: /^concurrency/ }).click();
      await page.getByRole('button', { name: /^go/ }).click();
      await eventually(async () => (await itemsIn(page).count()) === 2, { message: '2 items tagged go + concurrency' });
      await page.getByRole('button', { name: 'Clear filter' }).click();
      await eventually(async () => (await itemsIn(page).count()) === 3, { message: 'all 3 items again' });
    },
  },
  {
    name: 'page through items',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const t = await token(owner);
      for (let i = 1; i <= 20; i++) {
        const res = await api('POST', `/api/v1/collections/${s.collectionId}/items`, { token: t, body: { title: `Bulk item ${i}`, tags: ['bulk'] } });
        check(res.status === 201 || res.status === 200, `create bulk item: HTTP ${res.status}`);
      }
      // A reload mid-flow keeps you signed in (the session cookie) on the same page.
      await page.reload();
      await stillSignedIn(page, s.collectionURL);
      // The first page has 20; the list loads the rest as its end comes into view.
      await page.getByText('Showing 23 items.').waitFor();
      check((await page.getByRole('button', { name: 'Show more items' }).count()) === 0, 'no more pages');
      await eventually(
        async () => {
          await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
          return page.getByRole('link', { name: 'The Go Memory Model', exact: true }).isVisible();
        },
        { message: 'the oldest item at the end of the list' },
      );
      await page.evaluate(() => window.scrollTo(0, 0));
    },
  },
  {
    name: 'edit item',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.getByRole('link', { name: 'The Go Memory Model', exact: true }).click();
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Title').fill('The Go Memory Model (2022)');
      const tagBox = page.getByRole('combobox', { name: 'Tags' });
      await tagBox.fill('reference');
      await tagBox.press('Enter');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('heading', { level: 1, name: 'The Go Memory Model (2022)' }).waitFor();
      await page.getByRole('list', { name: 'Tags' }).getByText('reference').waitFor();
      s.itemURL = new URL(page.url()).pathname;
    },
  },
];
