// Feeds and public links in the e2e flow: the owner subscribes to the
// collection's feed (a feed token from the Members page) and reads a new item
// from it, publishes the collection, opens the public link in a fresh browser
// context that never signed in, revokes it and gets 404.
import { check, eventually } from './harness.mjs';
import { api, newPage, owner, stillSignedIn, token } from './context.mjs';

/** Fetches a feed as a reader does: no Authorization header, no cookie. */
async function fetchFeed(url, headers = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, etag: res.headers.get('ETag'), type: res.headers.get('Content-Type'), body: await res.text() };
}

export const publicSteps = [
  {
    name: 'subscribe to the feed',
    async run(s) {
      const page = (s.page = s.ownerPage);
      await page.goto(s.collectionURL + '/members');
      await stillSignedIn(page, s.collectionURL + '/members');
      const feeds = page.getByRole('region', { name: 'Feeds' });
      await feeds.getByRole('button', { name: 'Create feed token' }).click();
      const atomURL = (await feeds.getByTestId('feed-url-atom').textContent()).trim();
      check(atomURL.includes('token=atlas_feed_'), `feed URL carries a feed token: ${atomURL}`);

      const before = await fetchFeed(atomURL);
      check(before.status === 200 && before.type.startsWith('application/atom+xml'), `feed: HTTP ${before.status} ${before.type}`);
      const unchanged = await fetchFeed(atomURL, { 'If-None-Match': before.etag });
      check(unchanged.status === 304, `feed with its ETag: HTTP ${unchanged.status}, want 304`);

      const res = await api('POST', `/api/v1/collections/${s.collectionId}/items`, {
        token: await token(owner),
        body: { title: 'Fresh from the feed', source_url: 'https://example.com/fresh' },
      });
      check(res.status === 201, `create item: HTTP ${res.status}`);
      const after = await fetchFeed(atomURL, { 'If-None-Match': before.etag });
      check(after.status === 200, `feed after a new item: HTTP ${after.status}, want 200`);
      check(after.body.includes('<title>Fresh from the feed</title>'), 'the new item is in the feed');
      const json = await fetchFeed((await feeds.getByTestId('feed-url-json').textContent()).trim());
      check(JSON.parse(json.body).items[0].title === 'Fresh from the feed', 'the JSON Feed lists the new item first');
    },
  },
  {
    name: 'publish the collection',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const panel = page.getByRole('region', { name: 'Public link' });
      await panel.getByRole('button', { name: 'Publish' }).click();
      s.publicURL = (await panel.getByTestId('public-link-url').textContent()).trim();
      check(/\/p\/[A-Za-z0-9_-]{43}$/.test(s.publicURL), `public link: ${s.publicURL}`);
      await panel.getByRole('button', { name: /^Revoke/ }).waitFor();
    },
  },
  {
    name: 'open the public link signed out',
    async run(s) {
      s.publicPage = await newPage(s.browser, s.consoleErrors, 'public');
      const page = (s.page = s.publicPage);
      await page.goto(s.publicURL);
      await page.getByRole('heading', { level: 1, name: 'Reading list' }).waitFor();
      await page.getByRole('list', { name: 'Items' }).getByRole('link', { name: 'Fresh from the feed' }).waitFor();
      await page.getByRole('button', { name: /^postgres/ }).click();
      await eventually(async () => (await page.getByRole('list', { name: 'Items' }).getByRole('listitem').count()) === 1, {
        message: '1 item tagged postgres on the public page',
      });
      check((await page.getByRole('button', { name: 'Sign out' }).count()) === 0, 'nobody is signed in');
      check((await page.getByRole('heading', { name: 'Sign in to Atlas' }).count()) === 0, 'no sign-in page');
      check((await page.locator('meta[name="robots"][content="noindex"]').count()) === 1, 'the page asks robots not to index it');
      const secret = s.publicURL.split('/p/')[1];
      const res = await fetch(new URL(`/api/v1/public/${secret}/items`, s.publicURL));
      check(res.status === 200 && res.headers.get('X-Robots-Tag') === 'noindex', `public API: HTTP ${res.status}, X-Robots-Tag ${res.headers.get('X-Robots-Tag')}`);
    },
  },
  {
    name: 'revoke the public link',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const panel = page.getByRole('region', { name: 'Public link' });
      await panel.getByRole('button', { name: /^Revoke/ }).click();
      await panel.getByText('Not published').waitFor();
      const pub = (s.page = s.publicPage);
      await pub.reload();
      await pub.getByText('This link does not work').waitFor();
      const secret = s.publicURL.split('/p/')[1];
      const res = await api('GET', `/api/v1/public/${secret}`);
      check(res.status === 404, `revoked link: HTTP ${res.status}, want 404`);
      await pub.context().close();
    },
  },
];
