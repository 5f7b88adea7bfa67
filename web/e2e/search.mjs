// Search in the e2e flow: typo tolerance, highlights and filters.
import { join } from 'node:path';
import { check, eventually } from './harness.mjs';
import { outDir, owner, pipelineMissing, requireEndpoint, stillSignedIn } from './context.mjs';

/** The owner finds an item through a misspelled query. */
export const searchSteps = [
  {
    name: 'search finds a misspelled word',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto('/search');
      await stillSignedIn(page, '/search');
      await requireEndpoint('/api/v1/search/items?q=x', owner);
      const box = page.getByRole('searchbox', { name: 'Search for' });
      await box.fill('postgress lockng');
      // Events reach the index through Kafka and the indexer; poll until they have.
      const found = await eventually(
        async () => {
          await page.getByRole('button', { name: 'Search', exact: true }).click();
          await page.waitForTimeout(300);
          return (await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: /Postgres locking/ }).count()) > 0;
        },
        { timeout: 20_000, interval: 700, message: 'the misspelled search to find "Notes on Postgres locking"' },
      ).catch((err) => err);
      if (found !== true) pipelineMissing(found, 'search hits');
      // Highlights mark the words as typed (a hit found only through a typo
      // comes without marks): the words spelt right are highlighted.
      await box.fill('postgres locking');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('mark').first().waitFor();
      check((await page.locator('mark').count()) > 0, 'highlighted fragments');
      await page.screenshot({ path: join(outDir, '14-search-hits.png'), fullPage: true });
      // Filters: a tag the item does not carry hides it.
      await page.getByLabel('Tags (comma-separated, all must match)').fill('go');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByText('Nothing found').waitFor();
    },
  },
];
