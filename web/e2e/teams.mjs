// Teams in the e2e flow: the owner creates a team, adds a third person and
// shares the collection with the team; that person reads its items and
// finds them in search through the team alone, and is refused (404, as if
// the collection did not exist) from the next request once removed from it.
import { join } from 'node:path';
import { check, eventually } from './harness.mjs';
import { api, itemsIn, newPage, outDir, pipelineMissing, register, stillSignedIn, token } from './context.mjs';

const teammate = { name: 'Tess Teammate', email: `tess-${Date.now().toString(36)}@example.com`, password: 'battery horse correct' };
const teamName = 'Research team';

/** The search for the shared item, as the teammate (the hit list's links). */
async function searchHits(page) {
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForTimeout(300);
  return page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: /Postgres locking/ }).count();
}

export const teamSteps = [
  {
    name: 'share with a team',
    async run(s) {
      s.teammatePage = await newPage(s.browser, s.consoleErrors, 'teammate');
      await register(s.teammatePage, teammate);
      const page = (s.page = s.ownerPage);
      await page.goto('/teams');
      await stillSignedIn(page, '/teams');
      await page.getByLabel('Team name').fill(teamName);
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('heading', { level: 1, name: teamName }).waitFor();
      s.teamURL = new URL(page.url()).pathname;
      await page.getByLabel('Email').fill(teammate.email);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByText(`${teammate.email} was added to the team.`).waitFor();
      await page.getByRole('cell', { name: teammate.email }).waitFor();

      await page.goto(s.collectionURL + '/members');
      await stillSignedIn(page, s.collectionURL + '/members');
      const form = page.getByRole('form', { name: 'Share with a team' });
      await form.getByLabel('Team', { exact: true }).selectOption({ label: teamName });
      await form.getByLabel("Team's role").selectOption('viewer');
      await form.getByRole('button', { name: 'Share' }).click();
      await page.getByText(`${teamName} was added as viewer.`).waitFor();
      await page.getByRole('row', { name: new RegExp(teamName) }).getByText('Every member of the team').waitFor();
      await page.screenshot({ path: join(outDir, '20-team-shared.png'), fullPage: true });
    },
  },
  {
    name: 'team member sees items and search hits',
    async run(s) {
      const page = (s.page = s.teammatePage);
      await page.goto('/');
      await stillSignedIn(page, '/');
      const card = page.getByRole('listitem').filter({ hasText: 'Reading list' });
      await card.getByText('Viewer').waitFor();
      await card.getByRole('link', { name: 'Reading list' }).click();
      await eventually(async () => (await itemsIn(page).count()) > 0, { message: 'the team member sees the items' });
      check((await page.getByRole('link', { name: 'New item' }).count()) === 0, 'a viewer through a team adds no items');

      await page.goto('/search');
      await stillSignedIn(page, '/search');
      await page.getByRole('searchbox', { name: 'Search for' }).fill('postgres locking');
      // The item is indexed already (the owner found it); the team gives access at once.
      const found = await eventually(async () => (await searchHits(page)) > 0, {
        timeout: 20_000,
        interval: 700,
        message: 'the team member to find "Notes on Postgres locking"',
      }).catch((err) => err);
      if (found !== true) pipelineMissing(found, 'search hits');
    },
  },
  {
    name: 'removed from the team gets 404',
    async run(s) {
      const owner = (s.page = s.ownerPage);
      await owner.goto(s.teamURL);
      await stillSignedIn(owner, s.teamURL);
      await owner.getByRole('button', { name: `Remove ${teammate.name} from the team` }).click();
      await owner.getByRole('dialog', { name: 'Remove from team?' }).getByRole('button', { name: 'Remove from team' }).click();
      await eventually(async () => (await owner.getByRole('cell', { name: teammate.email }).count()) === 0, { message: 'the teammate leaves the list' });

      const page = (s.page = s.teammatePage);
      await page.goto(s.collectionURL);
      await stillSignedIn(page, s.collectionURL);
      await page.getByText('Collection not found').waitFor();
      await page.goto(s.itemURL);
      await stillSignedIn(page, s.itemURL);
      await page.getByText('Item not found').waitFor();
      await page.goto('/search');
      await page.getByRole('searchbox', { name: 'Search for' }).fill('postgres locking');
      check((await searchHits(page)) === 0, 'no search hits once removed from the team');
      const t = await token(teammate);
      const res = await api('GET', `/api/v1/collections/${s.collectionId}`, { token: t });
      check(res.status === 404, `GET the collection answered ${res.status}, want 404`);
      const hits = await api('GET', `/api/v1/search/items?q=postgres&collection_id=${s.collectionId}`, { token: t });
      check(hits.status === 404, `search in the collection answered ${hits.status}, want 404`);
      await page.screenshot({ path: join(outDir, '21-team-removed.png'), fullPage: true });
    },
  },
];
