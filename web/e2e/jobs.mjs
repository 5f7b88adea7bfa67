// Jobs in the e2e flow: the jobs list, an item's enrichment status, and a
// link whose host does not resolve shown as retrying with a sentence.
import { api, owner, requireEndpoint, stillSignedIn, token } from './context.mjs';
import { eventually, Skip } from './harness.mjs';

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
      await page.getByRole('cell', { name: 'Fetch link details' }).first().waitFor();
      await page.locator('td .badge[class*="job-"]').first().waitFor();
      // The item page shows the same job's status.
      await page.goto(s.itemURL);
      await stillSignedIn(page, s.itemURL);
      await page.getByText(/^Fetching link details:/).waitFor();
    },
  },
  {
    name: 'a passing failure is shown as retrying, in words',
    async run(s) {
      if (process.env.ATLAS_E2E_STACK !== 'dev') throw new Skip('no worker on this stack (atlas serve alone): jobs stay queued');
      const t = await token(owner);
      // .invalid never resolves (RFC 6761): a DNS failure, which is passing.
      const res = await api('POST', `/api/v1/collections/${s.collectionId}/items`, {
        token: t,
        body: { title: 'Unreachable notes', source_url: 'https://notes.invalid/today' },
      });
      if (res.status !== 201) throw new Error(`create item: HTTP ${res.status}`);
      const page = (s.page = s.ownerPage);
      await page.goto(`/jobs?item_id=${res.body.id}`);
      await stillSignedIn(page, '/jobs');
      const row = page.locator('tbody tr').first();
      await eventually(async () => (await row.locator('.badge', { hasText: 'Retrying' }).count()) > 0, {
        timeout: 30_000,
        interval: 1000,
        message: 'the job shown as retrying',
      });
      await row.getByText("Couldn't find the server notes.invalid (DNS)").waitFor();
      await row.getByText(/attempt 2 of 5/).waitFor();
      await row.getByText('Technical details').waitFor();
      await row.getByRole('button', { name: 'Try again' }).click();
      await row.locator('.badge').first().waitFor();
    },
  },
];
