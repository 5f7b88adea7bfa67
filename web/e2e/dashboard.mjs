// The dashboard in the e2e flow: quick add (the card shows Atlas fetching
// the link and updates without a reload), bulk tag / move / delete with
// undo, and every page checked with axe-core (WCAG 2.1 A and AA) in light
// and dark at 1280 and 390 px, the main ones also at 360 px (on phones also:
// no sideways scrolling, 44 px touch targets), with screenshots of each.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { api, baseURL, itemsIn, outDir, owner, stillSignedIn, token } from './context.mjs';
import { check, eventually, Skip } from './harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The card of the item titled title. */
const card = (page, title) => itemsIn(page).filter({ has: page.getByRole('link', { name: title, exact: true }) });

export const dashboardSteps = [
  {
    name: 'quick add shows the link at once and updates it',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto(s.collectionURL);
      await stillSignedIn(page, s.collectionURL);
      // A private address: the worker refuses it, so the card changes from
      // "fetching" to "failed" while the page is open (no outside network here
      // for a page that fills in with a title).
      const url = 'http://10.0.0.1/quick-add';
      await page.getByLabel('Paste a link to save it').fill(url);
      await page.getByRole('button', { name: 'Save link', exact: true }).click();
      await card(page, url).waitFor();
      if (process.env.ATLAS_E2E_STACK !== 'dev') throw new Skip('no worker on this stack (atlas serve alone): the link is never fetched');
      await eventually(async () => (await card(page, url).getByText('Fetch failed').count()) > 0, {
        timeout: 30_000,
        interval: 500,
        message: 'the card updated to "Fetch failed" without a reload',
      });
    },
  },
  {
    name: 'bulk tag, move and delete with undo',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const t = await token(owner);
      const archive = await api('POST', '/api/v1/collections', { token: t, body: { name: 'Archive' } });
      check(archive.status === 201, `create the Archive collection: HTTP ${archive.status}`);
      await page.goto(`${s.collectionURL}?tag=bulk`);
      await stillSignedIn(page, s.collectionURL);
      await card(page, 'Bulk item 1').waitFor();

      // Tag three with a shift-click range.
      await page.getByRole('checkbox', { name: 'Select Bulk item 3', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Select Bulk item 1', exact: true }).click({ modifiers: ['Shift'] });
      const bar = page.getByRole('region', { name: 'Bulk actions' });
      await bar.getByText('selected').waitFor();
      check((await bar.locator('.bulk-count strong').textContent()) === '3', 'a shift-click range selects three items');
      await bar.getByLabel('Tag').fill('batch');
      await bar.getByRole('button', { name: 'Add tag', exact: true }).click();
      await page.getByRole('button', { name: /^batch 3/ }).waitFor();

      // Move one to the Archive collection.
      await bar.getByRole('button', { name: 'Clear selection', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Select Bulk item 4', exact: true }).click();
      await bar.getByLabel('Collection').selectOption({ label: 'Archive' });
      await bar.getByRole('button', { name: 'Move', exact: true }).click();
      await eventually(async () => (await card(page, 'Bulk item 4').count()) === 0, { message: 'the moved item left the list' });
      const moved = await api('GET', `/api/v1/collections/${archive.body.id}/items`, { token: t });
      check(moved.body.items.some((i) => i.title === 'Bulk item 4'), 'the item is in Archive');

      // Delete two, then undo.
      await page.getByRole('checkbox', { name: 'Select Bulk item 5', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Select Bulk item 6', exact: true }).click();
      await bar.getByRole('button', { name: 'Delete 2', exact: true }).click();
      await page.getByText('Deleted 2 items.').waitFor();
      await eventually(async () => (await card(page, 'Bulk item 5').count()) === 0, { message: 'deleted items left the list' });
      await page.getByRole('status').filter({ hasText: 'Deleted 2 items.' }).getByRole('button', { name: 'Undo', exact: true }).click();
      await card(page, 'Bulk item 5').waitFor();
      await card(page, 'Bulk item 6').waitFor();
    },
  },
  {
    name: 'no axe violations on every page, in light and dark, wide and narrow (1280, 390, 360 px)',
    async run(s) {
      s.page = undefined;
      // [name, path, widths]: the main pages at every width, the others at the two (1280 and 390 px).
      const all = [1280, 390, 360];
      const two = [1280, 390];
      const signedOut = [
        ['login', '/login', two],
        ['register', '/register', two],
        ['forgot-password', '/forgot-password', two],
      ];
      const pages = [
        ['collection', s.collectionURL, all],
        ['jobs', '/jobs', all],
        ['activity', '/audit', all],
        ['search', '/search', all],
        ['collections', '/', all],
        ['item', s.itemURL, two],
        ['new-item', `${s.collectionURL}/items/new`, two],
        ['members', `${s.collectionURL}/members`, two],
        ['collection-activity', `${s.collectionURL}/activity`, two],
        ['import', `${s.collectionURL}/import`, two],
        ['webhooks', `${s.collectionURL}/webhooks`, two],
        ['needs-attention', `${s.collectionURL}/attention`, two],
        ['duplicates', '/duplicates', two],
        ['teams', '/teams', two],
        ['team', s.teamURL, two],
        ['account', '/account', two],
        ['save', `/save?url=${encodeURIComponent('https://example.com/shared')}&title=Shared`, two],
      ];
      const problems = [];
      /** Runs axe (and on phones the layout checks) on the page shown, and saves its screenshot. */
      const checkPage = async (page, name, theme, width) => {
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle').catch(() => {});
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
          return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
        });
        for (const v of violations) problems.push(`${name} ${theme} ${width}px: ${v}`);
        if (width < 700 && theme === 'light') {
          // Phones: nothing scrolls sideways, and every control is a 44 px touch target.
          const narrow = await page.evaluate(() => {
            const found = [];
            const over = document.documentElement.scrollWidth - window.innerWidth;
            if (over > 0) found.push(`the page is ${over} px wider than the screen`);
            for (const el of document.querySelectorAll('button, select, input:not([type="hidden"]), nav a, .tabs a, .card-actions a')) {
              const r = el.getBoundingClientRect();
              if (r.width <= 1 || r.height <= 1) continue; // hidden: the folded menu, visually hidden controls
              if (r.height < 43.5) found.push(`${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30)}" is ${r.height.toFixed(0)} px high`);
            }
            return found;
          });
          for (const n of narrow) problems.push(`${name} ${width}px: ${n}`);
        }
        await page.screenshot({ path: join(outDir, `dashboard-${name}-${theme}-${width}.png`), fullPage: true });
      };
      /** Checks, in both themes, the pages of list that are checked at width. */
      const checkAll = async (page, list, width) => {
        for (const theme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme: theme });
          for (const [name, path] of list.filter(([, , widths]) => widths.includes(width))) {
            await page.goto(path);
            await checkPage(page, name, theme, width);
          }
        }
      };
      for (const width of all) {
        const height = { 1280: 860, 390: 844, 360: 740 }[width];
        // CSP stays on for the app; only this checking context may add axe's script.
        const context = await s.browser.newContext({ baseURL, viewport: { width, height }, bypassCSP: true });
        const page = await context.newPage();
        await checkAll(page, signedOut, width);
        await page.goto('/login');
        await page.getByLabel('Email').fill(owner.email);
        await page.getByLabel('Password').fill(owner.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/');
        await checkAll(page, pages, width);
        await context.close();
      }
      check(problems.length === 0, `axe found WCAG 2.1 A/AA violations:\n${problems.join('\n')}`);
    },
  },
];
