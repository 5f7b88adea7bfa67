// Webhooks in the e2e flow: the owner registers a webhook to a receiver on
// loopback (a tiny node HTTP server that verifies Standard Webhooks
// signatures), adds an item, sees the delivery in the log, and sends it
// again. The receiver's address is allowed by ATLAS_FETCH_ALLOW=127.0.0.1
// (scripts/web e2e sets it).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { addItemInUI, pipelineMissing, stillSignedIn } from './context.mjs';
import { check, eventually } from './harness.mjs';

/** Verifies a request as the Standard Webhooks specification says; returns why not, or ''. */
function verify(secret, headers, body) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = (headers['webhook-signature'] ?? '').split(' ');
  if (!id || !ts || !secret) return 'missing headers or secret';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return 'timestamp too old';
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const want = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
  const ok = sigs.some((s) => {
    const [v, sig] = s.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return v === 'v1' && got.length === want.length && timingSafeEqual(got, want);
  });
  return ok ? '' : 'no matching signature';
}

/** Starts the receiver; requests are recorded on the returned object. */
async function startReceiver() {
  const r = { secret: '', got: [] };
  r.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      r.got.push({ id: req.headers['webhook-id'], problem: verify(r.secret, req.headers, body), event: JSON.parse(body.toString('utf8')) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${r.server.address().port}/hook`;
  return r;
}

export const webhookSteps = [
  {
    name: 'webhook delivers a new item, signed, and sends it again',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const receiver = await startReceiver();
      try {
        const path = `${s.collectionURL}/webhooks`;
        await page.goto(path);
        await stillSignedIn(page, path);
        await page.getByLabel('Endpoint URL').fill(receiver.url);
        await page.getByRole('button', { name: 'Register webhook' }).click();
        receiver.secret = (await page.getByLabel('Signing secret').textContent()) ?? '';
        check(receiver.secret.startsWith('whsec_'), `the secret is shown once (got ${receiver.secret})`);
        const card = page.getByRole('listitem', { name: `Webhook ${receiver.url}` });
        await card.waitFor();

        await page.goto(s.collectionURL);
        await addItemInUI(page, { title: 'Hooked on webhooks', tags: [] });
        try {
          await eventually(async () => receiver.got.length > 0, { timeout: 20_000, message: 'the receiver got the event' });
        } catch (err) {
          pipelineMissing(err, 'webhook delivery');
        }
        const first = receiver.got[0];
        check(first.problem === '', `the receiver verified the signature: ${first.problem}`);
        check(first.event.type === 'ItemCreated', `an ItemCreated event (got ${first.event.type})`);
        check(first.event.event_id === first.id, 'webhook-id is the event id');

        await page.goto(path);
        const row = page.getByRole('row').filter({ hasText: 'ItemCreated' });
        await row.getByText('delivered').waitFor({ timeout: 20_000 });
        await row.getByText(/HTTP 204/).waitFor();
        await row.getByRole('button', { name: 'Send again: ItemCreated' }).click();
        await eventually(async () => receiver.got.length > 1, { timeout: 20_000, message: 'the delivery was sent again' });
        check(receiver.got[1].id === first.id && receiver.got[1].problem === '', 'sent again: same webhook-id, verified');
      } finally {
        receiver.server.close();
      }
    },
  },
];
