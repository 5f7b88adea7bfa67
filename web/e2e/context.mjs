// What every feature's steps share: the server under test, the two people of
// the flow, a direct API client for fixtures and probes, and page helpers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, Skip } from './harness.mjs';

export const baseURL = process.env.ATLAS_E2E_URL;
if (!baseURL) {
  console.error('ATLAS_E2E_URL is required (scripts/web e2e sets it)');
  process.exit(2);
}
export const outDir = process.env.ATLAS_E2E_OUT || join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const run = Date.now().toString(36);
export const owner = { name: 'Olivia Owner', email: `olivia-${run}@example.com`, password: 'correct horse battery' };
export const viewer = { name: 'Victor Viewer', email: `victor-${run}@example.com`, password: 'staple battery horse' };
const timeout = 10_000;

/** Calls the API directly (for fixtures and probes), outside the browser. */
export async function api(method, path, { token, body } = {}) {
  const res = await fetch(baseURL + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function token(user) {
  const res = await api('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
  check(res.status === 200, `login ${user.email}: HTTP ${res.status}`);
  return res.body.access_token;
}

/** Whether the server has an endpoint (a 404 problem for the route itself means no). */
// requireEndpoint fails the step when a route that always ships answers 404:
// a missing route is a defect, never a skipped step.
export async function requireEndpoint(path, user) {
  const res = await api('GET', path, { token: await token(user) });
  check(res.status !== 404, `GET ${path} answers (got 404: the route is missing)`);
}

export async function newPage(browser, consoleErrors, who, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (err) => consoleErrors.push(`[${who}] ${err.message}`));
  page.on('console', (msg) => {
    // Failed fetches (a 403 or a 404 the app explains) are logged by Chromium; they are not app errors.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) consoleErrors.push(`[${who}] ${msg.text()} (on ${page.url()}${msg.location().url ? `, from ${msg.location().url}` : ''})`);
  });
  return page;
}

export async function register(page, user) {
  await page.goto('/register');
  await page.getByLabel('Your name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
}

export async function addItemInUI(page, { title, url, tags, pickWithArrow }) {
  await page.getByRole('link', { name: 'New item' }).click();
  await page.getByLabel('Title').fill(title);
  if (url) await page.getByLabel('URL').fill(url);
  const tagBox = page.getByRole('combobox', { name: 'Tags' });
  for (const t of tags) {
    await tagBox.fill(t);
    await tagBox.press('Enter');
  }
  if (pickWithArrow) {
    // Autocomplete: type a prefix, pick the suggestion with the keyboard.
    await tagBox.fill(pickWithArrow.slice(0, 3));
    await page.getByRole('option', { name: pickWithArrow }).waitFor();
    await tagBox.press('ArrowDown');
    await tagBox.press('Enter');
    await page.getByRole('button', { name: `Remove tag ${pickWithArrow}` }).waitFor();
  }
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByRole('link', { name: title, exact: true }).waitFor();
}

export const itemsIn = (page) => page.getByRole('list', { name: 'Items' }).getByRole('listitem').filter({ has: page.getByRole('heading') });

/**
 * Search and audit data flow through Kafka and their consumers. On a stack
 * without them (`atlas serve` alone) the step is skipped, saying why; with
 * ATLAS_E2E_REQUIRE_PIPELINE=1 it fails instead.
 */
export function pipelineMissing(err, what) {
  if (process.env.ATLAS_E2E_REQUIRE_PIPELINE === '1' || process.env.ATLAS_E2E_STACK === 'dev') throw err;
  throw new Skip(`no ${what} within 20 s on this stack (${process.env.ATLAS_E2E_STACK ?? 'unknown'}, without Kafka and consumers)`);
}

/** After a full page load: the session cookie kept us signed in, on path (never the sign-in page). */
export async function stillSignedIn(page, path) {
  const heading = page.getByRole('heading', { name: 'Sign in to Atlas' });
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await heading.or(signOut).first().waitFor();
  check(!(await heading.isVisible().catch(() => false)), `a page load signed us out (at ${page.url()})`);
  const want = new URL(path, baseURL);
  check(new URL(page.url()).pathname === want.pathname, `at ${page.url()}, want ${want.pathname}`);
}
