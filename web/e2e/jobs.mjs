// Jobs in the e2e flow: the jobs list and an item's enrichment status.
import { eventually } from './harness.mjs';
import { owner, requireEndpoint, stillSignedIn } from './context.mjs';

/** The ENRICH_URL job of a new link shows on the jobs page and the item. */
export const jobSteps = [
  {
    name: 'job status shown',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto('/jobs');
      await stillSignedIn(page, '/jobs');
      await requireEndpoint('/api/v1/jobs', owner);
      // Adding an item with a URL queued an ENRICH_URL job.
      await eventually(async () => (await page.getByRole('table').locator('tbody tr').count()) > 0, {
        timeout: 20_000,
        message: 'a job listed',
      });
      await page.getByRole('cell', { name: 'ENRICH_URL' }).first().waitFor();
      await page.locator('td .badge[class*="job-"]').first().waitFor();
      // The item page shows the same job's status.
      await page.goto(s.itemURL);
      await stillSignedIn(page, s.itemURL);
      await page.getByText(/^Enrichment:/).waitFor();
    },
  },
];
