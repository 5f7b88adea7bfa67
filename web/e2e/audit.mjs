// The audit trail in the e2e flow: a collection's activity and an item's history.
import { check, eventually } from './harness.mjs';
import { owner, pipelineMissing, requireEndpoint, stillSignedIn } from './context.mjs';

/** The list of events (not the filter's options, which name the same kinds). */
const timeline = (page) => page.getByRole('list', { name: 'Activity' });

/** Changes reach the activity list through Kafka and the audit consumer. */
export const auditSteps = [
  {
    name: 'audit lists changes',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto(s.collectionURL + '/activity');
      await stillSignedIn(page, s.collectionURL + '/activity');
      await requireEndpoint(`/api/v1/audit?collection_id=${s.collectionId}`, owner);
      // The page answers (a list or its empty state), never an error.
      await page.getByRole('list', { name: 'Activity' }).or(page.getByText('No activity matches')).first().waitFor();
      check((await page.getByRole('alert').count()) === 0, 'the activity page shows an error');
      // Events reach the audit trail through Kafka and the audit consumer.
      const arrived = await eventually(
        async () => {
          if (await timeline(page).getByText('Item updated').count()) return true;
          await page.getByRole('button', { name: 'Apply filters' }).click();
          return false;
        },
        { timeout: 20_000, interval: 1000, message: 'the item update in the activity list' },
      ).catch((err) => err);
      if (arrived !== true) pipelineMissing(arrived, 'audit events');
      await timeline(page).getByText('Item created').first().waitFor();
      await page.locator('ins', { hasText: 'The Go Memory Model (2022)' }).first().waitFor();
      // By name, never by id: the item's title, who did it, grouped by day.
      await page.getByRole('link', { name: 'item ‘The Go Memory Model (2022)’' }).first().waitFor();
      await page.getByText(/ by you/).first().waitFor();
      await page.getByRole('heading', { name: 'Today' }).waitFor();
      check((await page.getByRole('form', { name: 'Filter activity' }).locator('input:not([type="date"])').count()) === 0, 'the filters are pickers and dates, not id fields');
      await page.getByLabel('Person').selectOption({ label: `You (${owner.name})` });
      await page.getByLabel('Change').selectOption('ItemUpdated');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await timeline(page).getByText('Item updated').first().waitFor();
      await eventually(async () => (await timeline(page).getByText('Item created').count()) === 0, { message: 'the type filter applies' });
      // Per item: the item page links to its own history.
      await page.goto(s.itemURL);
      await stillSignedIn(page, s.itemURL);
      await page.getByRole('link', { name: 'History of this item' }).click();
      await timeline(page).getByText('Item updated').first().waitFor();
    },
  },
];
