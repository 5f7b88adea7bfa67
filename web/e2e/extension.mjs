// The browser extension (built into extension/dist/chromium by scripts/web
// e2e) loaded unpacked into a Chromium of its own: signed in with a token
// made on the account page in one click, it saves a page of a local test
// site with its selected text as a quote and the page as shown, sees it as
// already saved, and says so clearly when its token is revoked. Then the
// dashboard opens the copy and the reading view; a script in an archived
// page never runs; the installable app's share target opens the save form
// at phone size; the bookmarklet is on the account page.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, check, eventually } from './harness.mjs';
import { api, baseURL, newPage, owner, token } from './context.mjs';

const extensionDir =
  process.env.ATLAS_E2E_EXTENSION || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'dist', 'chromium');
const quote = 'Only what you select here becomes the quote.';

/**
 * The local test site: an article whose script builds part of the page
 * (kept in the copy as the person saw it) and marks every run, so a copy
 * where it ran again would show two marks.
 */
function startSite() {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>A page built in the browser</title>
<link rel="stylesheet" href="/site.css"></head>
<body><article><h1>Field notes</h1>
<p id="quote">${quote}</p>
<p>${'A paragraph of the article that the reading view keeps for later. '.repeat(12)}</p>
<div id="built"></div></article>
<script src="/site.js"></script></body></html>`;
  const js = `document.getElementById('built').insertAdjacentHTML('beforeend', '<p class="ran">Built by the page\\'s script</p>');`;
  const server = createServer((req, res) => {
    const types = { '/article': ['text/html; charset=utf-8', page], '/site.js': ['text/javascript', js], '/site.css': ['text/css', '#quote{color:#036}'] };
    const [type, body] = types[req.url] ?? ['text/plain', 'not found'];
    res.writeHead(types[req.url] ? 200 : 404, { 'Content-Type': type });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

/** Opens the popup as a page for the tab showing url (the toolbar button cannot be clicked headless). */
async function openPopup(s, url) {
  // Runs in an extension page, where chrome.tabs is available.
  const tabId = await s.extOptions.evaluate(async (u) => (await globalThis.chrome.tabs.query({})).find((t) => t.url === u)?.id, url);
  check(tabId, `a tab shows ${url}`);
  const popup = await s.ext.newPage();
  await popup.goto(`chrome-extension://${s.extensionId}/popup.html?tab=${tabId}`);
  return popup;
}

async function signInExtension(s, server, secret) {
  const o = s.extOptions;
  await o.goto(`chrome-extension://${s.extensionId}/options.html`);
  await o.getByLabel('Server').fill(server);
  await o.getByLabel('Token').fill(secret);
  await o.getByRole('button', { name: 'Save and check' }).click();
  // Checked against the server, then kept in extension storage.
  await eventually(() => o.evaluate(async (t) => (await globalThis.chrome.storage.local.get(['token'])).token === t, secret), {
    message: 'the token kept in extension storage',
  });
  await o.getByText(`Signed in as ${owner.name}`).waitFor();
}

export const extensionSteps = [
  {
    name: 'extension: a token from the account page in one click',
    async run(s) {
      s.page = s.ownerPage;
      const t = await token(owner);
      const c = await api('POST', '/api/v1/collections', { token: t, body: { name: 'Clippings' } });
      check(c.status === 201, `create Clippings: HTTP ${c.status}`);
      s.clippings = c.body.id;
      await s.ownerPage.goto('/account');
      await s.ownerPage.getByRole('button', { name: 'Create a token for the browser extension' }).click();
      s.extToken = (await s.ownerPage.getByTestId('extension-token').textContent()).trim();
      check(s.extToken.startsWith('atlas_pat_'), `token shown: ${s.extToken.slice(0, 12)}…`);
      check((await s.ownerPage.getByTestId('extension-server').textContent()).trim() === baseURL, 'the server address is shown');
      const tokens = await api('GET', '/api/v1/auth/tokens', { token: t });
      const made = tokens.body.items.find((x) => x.name === 'Browser extension');
      check(made?.scope === 'write', `the extension's token reads and writes (scope ${made?.scope})`);
      const mark = await s.ownerPage.getByTestId('bookmarklet').getAttribute('href');
      check(mark?.startsWith('javascript:') && mark.includes(`${baseURL}/save?url=`), `the bookmarklet opens the save form: ${mark}`);
    },
  },
  {
    name: 'extension: loads unpacked and signs in',
    async run(s) {
      s.site = await startSite();
      s.extProfile = mkdtempSync(join(tmpdir(), 'atlas-extension-'));
      s.ext = await chromium.launchPersistentContext(s.extProfile, {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: [...chromiumArgs, '--headless=new', `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
        viewport: { width: 1100, height: 800 },
      });
      let [worker] = s.ext.serviceWorkers();
      worker ??= await s.ext.waitForEvent('serviceworker', { timeout: 15_000 });
      s.extensionId = new URL(worker.url()).host;
      s.extOptions = await s.ext.newPage();
      s.page = s.extOptions;
      await signInExtension(s, baseURL, s.extToken);
    },
  },
  {
    name: 'extension: saves a page with the selected text as a quote',
    async run(s) {
      const article = await s.ext.newPage();
      s.articleURL = `${s.site.url}/article`;
      await article.goto(s.articleURL);
      await article.locator('.ran').waitFor();
      await article.evaluate(() => {
        const r = document.createRange();
        r.selectNodeContents(document.getElementById('quote'));
        getSelection().removeAllRanges();
        getSelection().addRange(r);
      });
      const popup = (s.page = await openPopup(s, s.articleURL));
      await eventually(async () => (await popup.getByLabel('Quote (the text you selected)').inputValue()) === quote, { message: 'the selection as the quote' });
      check((await popup.getByLabel('Title').inputValue()) === 'A page built in the browser', 'the tab title is the title');
      check(await popup.locator('#saved-already').isHidden(), 'not saved yet');
      await popup.getByLabel('Collection').selectOption({ label: 'Clippings' });
      await popup.getByLabel('Tags').fill('field, notes');
      await popup.getByLabel('Note').fill('Read on the train.');
      const started = Date.now();
      await popup.getByRole('button', { name: 'Save' }).click();
      await popup.getByText('Saved to Clippings.').waitFor();
      await popup.getByText('A copy of the page as you see it is kept.').waitFor();
      console.log(`          saved from the extension (item and copy) in ${Date.now() - started} ms`);
      const href = await popup.getByRole('link', { name: 'Open in Atlas' }).getAttribute('href');
      s.extItem = href.split('/items/')[1];
      check(href === `${baseURL}/items/${s.extItem}`, `opens the dashboard: ${href}`);
      const t = await token(owner);
      const it = await api('GET', `/api/v1/items/${s.extItem}`, { token: t });
      check(it.body.collection_id === s.clippings, 'saved to the chosen collection');
      check(it.body.notes === `> ${quote}\n\nRead on the train.`, `the quote and the note: ${JSON.stringify(it.body.notes)}`);
      check(it.body.tags.join(',') === 'field,notes', `tags: ${it.body.tags}`);
      const a = await api('GET', `/api/v1/items/${s.extItem}/archive`, { token: t });
      check(a.body.captured_by === 'browser' && a.body.copies.length === 2, `the page as shown is the copy: ${JSON.stringify(a.body)}`);
    },
  },
  {
    name: 'extension: says the page is already saved, and where',
    async run(s) {
      const popup = (s.page = await openPopup(s, s.articleURL));
      const already = popup.locator('#saved-already');
      await already.waitFor();
      check((await already.textContent()).includes('in Clippings'), `where: ${await already.textContent()}`);
      const href = await already.getByRole('link', { name: 'A page built in the browser' }).getAttribute('href');
      check(href === `${baseURL}/items/${s.extItem}`, `links to the item: ${href}`);
    },
  },
  {
    name: 'extension: a revoked token says sign in again',
    async run(s) {
      const t = await token(owner);
      const made = await api('POST', '/api/v1/auth/tokens', { token: t, body: { name: 'Short-lived', scope: 'write' } });
      await signInExtension(s, baseURL, made.body.token);
      check((await api('DELETE', `/api/v1/auth/tokens/${made.body.id}`, { token: t })).status === 204, 'revoke');
      const popup = (s.page = await openPopup(s, s.articleURL));
      await popup.getByRole('alert').getByText('Your token no longer works (revoked or expired): sign in again').waitFor();
      await signInExtension(s, baseURL, s.extToken);
    },
  },
  {
    name: 'dashboard: the archived copy and the reading view of the saved page',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto(`/items/${s.extItem}`);
      await page.getByText(/Kept as you saw it in your browser/).waitFor();
      await page.getByRole('button', { name: 'Reading view' }).click();
      await page.getByTestId('reading-view').getByText('A paragraph of the article').first().waitFor();
      await page.getByRole('button', { name: 'Archived copy' }).click();
      const frame = page.frameLocator('[data-testid="archived-page"]');
      await frame.getByText("Built by the page's script").waitFor();
      check((await frame.locator('.ran').count()) === 1, 'the page as shown, and its script did not run again in the copy');
      check((await page.getByTestId('archived-page').getAttribute('sandbox')) === '', 'shown in a sandbox without scripts');
      await s.ext.close();
      s.site.server.close();
      rmSync(s.extProfile, { recursive: true, force: true });
    },
  },
  {
    name: 'archived copy: a script in the page never runs',
    async run(s) {
      const t = await token(owner);
      const evil = `<!doctype html><html><head><title>Inert</title><meta http-equiv="refresh" content="0;url=/elsewhere">
<script>document.title = 'script ran'; fetch('/api/v1/auth/me')</script></head>
<body><p id="p">Kept text</p><img src="data:," onerror="document.title='handler ran'">
<a id="js" href="javascript:document.title='link ran'">x</a><iframe src="${baseURL}/"></iframe>
<svg><script>document.title='svg ran'</script></svg></body></html>`;
      const res = await fetch(`${baseURL}/api/v1/items/${s.extItem}/archive/capture`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'text/html' },
        body: evil,
      });
      check(res.status === 200, `upload: HTTP ${res.status}`);
      // Open the copy itself, as served, in a browser tab that sends the token.
      const ctx = await s.browser.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${t}` } });
      const page = (s.page = await ctx.newPage());
      const resp = await page.goto(`${baseURL}/api/v1/items/${s.extItem}/archive/html`);
      check(resp.headers()['content-security-policy']?.startsWith('sandbox;'), 'served under a sandbox policy');
      await page.locator('#p').waitFor();
      await page.locator('#js').click().catch(() => {});
      const seen = await page.evaluate(() => ({
        title: document.title,
        scripts: document.scripts.length,
        frames: document.querySelectorAll('iframe').length,
        handler: document.querySelector('img')?.getAttribute('onerror'),
      }));
      check(seen.title === 'Inert', `no script, handler or javascript: link ran: title ${seen.title}`);
      check(seen.scripts === 0 && seen.frames === 0 && !seen.handler, `nothing that runs is left: ${JSON.stringify(seen)}`);
      check(new URL(page.url()).pathname === `/api/v1/items/${s.extItem}/archive/html`, 'the refresh did not navigate');
      await ctx.close();
    },
  },
  {
    name: 'phone: the share target opens a prefilled save form',
    async run(s) {
      const manifest = await (await fetch(`${baseURL}/manifest.json`)).json();
      check(manifest.share_target?.action === '/save' && manifest.share_target.method === 'GET', 'the web app manifest declares the share target');
      for (const icon of manifest.icons) {
        check((await fetch(baseURL + icon.src)).status === 200, `icon ${icon.src}`);
      }
      const page = (s.page = await newPage(s.browser, s.consoleErrors, 'share', { width: 390, height: 844 }));
      const shared = new URLSearchParams({ title: 'Shared from a phone', text: 'Look at this https://example.com/shared-from-phone' });
      await page.goto(`/save?${shared}`);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Save a link' }).waitFor();
      check((await page.getByLabel(/^URL/).inputValue()) === 'https://example.com/shared-from-phone', 'the link found in the shared text');
      check((await page.getByLabel(/^Title/).inputValue()) === 'Shared from a phone', 'the shared title');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `the save form is ${overflow}px wider than a phone screen`);
      await page.getByLabel('Collection').selectOption({ label: 'Clippings' });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Shared from a phone' }).waitFor();
      await page.getByText('> Look at this').waitFor();
      await page.context().close();
    },
  },
];
