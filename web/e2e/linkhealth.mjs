// Link health and duplicates in the e2e flow, against a local test site (a
// tiny node HTTP server on loopback, which ATLAS_FETCH_ALLOW=127.0.0.1 lets
// Atlas fetch): a page is saved, enriched and archived; the site then
// answers 410 for it, the link checker confirms it on two checks
// (scripts/web e2e sets short ATLAS_LINKCHECK_* settings), and the item is
// marked dead and offers its archived copy; a second save of a page is
// warned before it is saved; two duplicates are merged on the Duplicates
// page; the new pages are checked with axe.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { api, baseURL, itemsIn, outDir, owner, stillSignedIn, token } from './context.mjs';
import { check, eventually, Skip } from './harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const pages = {
  '/article': {
    title: 'Keeping a lighthouse',
    body: '<h1>Keeping a lighthouse</h1><p>The keeper trims the wick at dusk and winds the clockwork every four hours.</p>',
  },
  '/guide': { title: 'A guide to fog signals', body: '<h1>A guide to fog signals</h1><p>Two blasts every minute mean a vessel under way.</p>' },
};

/** The local test site; gone lists the paths it answers 410 for. */
async function startSite() {
  const site = { gone: new Set() };
  site.server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname.replace(/\/$/, '') || '/';
    const p = pages[path];
    if (!p || site.gone.has(path)) {
      res.writeHead(p ? 410 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<title>Gone</title>');
      return;
    }
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.title}</title></head><body>${p.body}</body></html>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(req.method === 'HEAD' ? undefined : html);
  });
  await new Promise((resolve) => site.server.listen(0, '127.0.0.1', resolve));
  site.url = (path) => `http://127.0.0.1:${site.server.address().port}${path}`;
  return site;
}

/** Needs the worker (enrichment, archiving, the link checker). */
function needWorker() {
  if (process.env.ATLAS_E2E_STACK !== 'dev') throw new Skip('no worker on this stack (atlas serve alone): links are never fetched or checked');
}

/** Quick-adds url on the open collection page. */
async function quickAdd(page, url) {
  await page.getByLabel('Paste a link to save it').fill(url);
  await page.getByRole('button', { name: 'Save link', exact: true }).click();
}

/** The API's item once ready(item) holds. */
async function itemWhen(t, id, ready, message, timeout = 60_000) {
  return eventually(
    async () => {
      const res = await api('GET', `/api/v1/items/${id}`, { token: t });
      return res.status === 200 && ready(res.body) ? res.body : null;
    },
    { timeout, interval: 500, message },
  );
}

/** The collection's items whose source URL starts with prefix. */
async function itemsAt(t, collectionId, prefix) {
  const res = await api('GET', `/api/v1/collections/${collectionId}/items?limit=100`, { token: t });
  check(res.status === 200, `list items: HTTP ${res.status}`);
  return res.body.items.filter((i) => (i.source_url ?? '').startsWith(prefix));
}

export const linkHealthSteps = [
  {
    name: 'a page on the test site is saved, enriched and archived',
    async run(s) {
      needWorker();
      const page = (s.page = s.ownerPage);
      s.site = await startSite();
      const t = await token(owner);
      const c = await api('POST', '/api/v1/collections', { token: t, body: { name: 'Link health' } });
      check(c.status === 201, `create the Link health collection: HTTP ${c.status}`);
      s.healthId = c.body.id;
      s.healthURL = `/collections/${c.body.id}`;
      await page.goto(s.healthURL);
      await stillSignedIn(page, s.healthURL);
      await quickAdd(page, s.site.url('/article'));
      // The card fills in with the page's own title once Atlas fetched it.
      await itemsIn(page).filter({ has: page.getByRole('link', { name: pages['/article'].title, exact: true }) }).waitFor({ timeout: 30_000 });
      const [saved] = await itemsAt(t, s.healthId, s.site.url('/article'));
      check(saved, 'the article is saved');
      s.articleId = saved.id;
      await eventually(
        async () => (await api('GET', `/api/v1/items/${saved.id}/archive`, { token: t })).body?.status === 'archived',
        { timeout: 60_000, interval: 500, message: 'the page was archived' },
      );
      await itemWhen(t, saved.id, (it) => it.link.status === 'ok', 'the first check found the link working');
    },
  },
  {
    name: 'the link goes dead and the item offers its archived copy',
    async run(s) {
      needWorker();
      const page = (s.page = s.ownerPage);
      const t = await token(owner);
      s.site.gone.add('/article');
      const dead = await itemWhen(t, s.articleId, (it) => it.link.status === 'gone', 'the checker confirmed the link gone', 120_000);
      check(dead.link.http_status === 410, `gone with HTTP 410 (got ${dead.link.http_status})`);

      await page.goto(s.healthURL);
      await itemsIn(page).filter({ hasText: 'dead link' }).first().waitFor();
      await page.getByRole('link', { name: 'Needs attention' }).click();
      const row = page.getByRole('row').filter({ hasText: pages['/article'].title });
      await row.getByText('Dead (not found)').waitFor();
      await row.getByText('HTTP 410').waitFor();

      await row.getByRole('link', { name: pages['/article'].title }).click();
      const note = page.getByRole('note', { name: 'Link health' });
      await note.getByText('The link is dead').waitFor();
      await note.getByRole('button', { name: 'open the archived copy' }).click();
      const frame = page.frameLocator('iframe.archived-page');
      await frame.getByText('winds the clockwork every four hours').waitFor();
    },
  },
  {
    name: 'saving a page again is warned first, naming the collection',
    async run(s) {
      needWorker();
      const page = (s.page = s.ownerPage);
      const t = await token(owner);
      await page.goto(s.healthURL);
      await quickAdd(page, s.site.url('/guide'));
      await itemsIn(page).filter({ has: page.getByRole('link', { name: pages['/guide'].title, exact: true }) }).waitFor({ timeout: 30_000 });

      // The same page by another spelling: www-less already, a trailing slash and a tracking parameter.
      await quickAdd(page, `${s.site.url('/guide')}/?utm_source=newsletter`);
      const warning = page.getByRole('alert').filter({ hasText: 'Already saved' });
      await warning.waitFor();
      check((await warning.textContent()).includes('Already saved in Link health'), `the warning names the collection: ${await warning.textContent()}`);
      check((await itemsAt(t, s.healthId, s.site.url('/guide'))).length === 1, 'nothing is saved before the person decides');
      await warning.getByRole('button', { name: 'Save it anyway' }).click();
      await eventually(async () => (await itemsAt(t, s.healthId, s.site.url('/guide'))).length === 2, { message: 'the second copy is saved' });
    },
  },
  {
    name: 'two duplicates are merged on the Duplicates page',
    async run(s) {
      needWorker();
      const page = (s.page = s.ownerPage);
      const t = await token(owner);
      // Merging needs the versions the page shows: wait until Atlas has
      // finished filling both in (enrichment writes a version).
      const copies = await itemsAt(t, s.healthId, s.site.url('/guide'));
      for (const c of copies) {
        await itemWhen(t, c.id, (it) => it.enrichment === 'done' && it.link.status === 'ok', `“${c.title}” is filled in and checked`);
      }
      await page.goto('/duplicates');
      await stillSignedIn(page, '/duplicates');
      const group = page.getByRole('article', { name: `Saved as ${s.site.url('/guide')}` });
      await group.waitFor();
      await group.getByRole('radio').first().check();
      await group.getByRole('button', { name: 'Merge 2 items…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Merge duplicates?' });
      await dialog.getByRole('button', { name: /^Merge into/ }).click();
      await page.getByRole('status').filter({ hasText: 'Merged 1 item into' }).waitFor();
      await eventually(async () => (await group.count()) === 0, { message: 'the merged group left the list' });
      const left = await itemsAt(t, s.healthId, s.site.url('/guide'));
      check(left.length === 1, `one copy is left (got ${left.length})`);
    },
  },
  {
    name: 'no axe violations on the duplicates, needs-attention and dead-link pages',
    async run(s) {
      needWorker();
      s.page = undefined;
      const problems = [];
      const context = await s.browser.newContext({ baseURL, viewport: { width: 1280, height: 860 }, bypassCSP: true });
      try {
        const page = await context.newPage();
        await page.goto('/login');
        await page.getByLabel('Email').fill(owner.email);
        await page.getByLabel('Password').fill(owner.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/');
        const checks = [
          ['duplicates', '/duplicates', 'Duplicates'],
          ['needs-attention', `${s.healthURL}/attention`, 'Needs attention'],
          ['dead-link', `/items/${s.articleId}`, s.site.url('/article')],
        ];
        for (const theme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme: theme });
          for (const [name, path, heading] of checks) {
            await page.goto(path);
            await page.getByRole('heading', { name: heading }).first().waitFor();
            await page.waitForLoadState('networkidle').catch(() => {});
            await page.addScriptTag({ content: axeSource });
            const violations = await page.evaluate(async () => {
              const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
              return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
            });
            for (const v of violations) problems.push(`${name} ${theme}: ${v}`);
            await page.screenshot({ path: join(outDir, `linkhealth-${name}-${theme}.png`), fullPage: true });
          }
        }
      } finally {
        await context.close();
        await new Promise((resolve) => s.site?.server.close(resolve));
      }
      check(problems.length === 0, `axe found WCAG 2.1 A/AA violations:\n${problems.join('\n')}`);
    },
  },
];
