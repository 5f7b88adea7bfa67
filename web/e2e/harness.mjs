// A tiny step runner for the end-to-end flow: playwright-core drives the OS's
// Chromium (never a downloaded browser); each step is timed, screenshotted and
// reported; the run ends with "N passed, N failed, N skipped".
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Chromium flags that work as root in CI and keep the browser off the network. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Thrown by a step that cannot run on this server yet (its endpoint is missing). */
export class Skip extends Error {}

/** Fails with message unless cond holds. */
export function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function eventually(fn, { timeout = 10_000, interval = 200, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Runs the steps in order. A failed step stops the flow (later steps depend on
 * it) and the rest are reported as not run, which counts as failed.
 */
export async function runSteps({ baseURL, outDir, steps, setup }) {
  // Old screenshots go; the server logs that scripts/web writes here stay.
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith('.png')) rmSync(join(outDir, f));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  const consoleErrors = [];
  const ctx = await setup({ browser, baseURL, outDir, consoleErrors });
  const results = [];
  let stopped = false;
  let n = 0;
  for (const step of steps) {
    n++;
    const label = `${String(n).padStart(2, '0')} ${step.name}`;
    if (stopped) {
      results.push({ label, status: 'not run' });
      continue;
    }
    const started = Date.now();
    try {
      await step.run(ctx);
      results.push({ label, status: 'passed', ms: Date.now() - started });
    } catch (err) {
      if (err instanceof Skip) {
        results.push({ label, status: 'skipped', ms: Date.now() - started, why: err.message });
      } else {
        results.push({ label, status: 'failed', ms: Date.now() - started, why: err.stack || String(err) });
        stopped = true;
      }
    }
    const page = ctx.current?.();
    if (page) {
      const file = join(outDir, `${String(n).padStart(2, '0')}-${step.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    }
  }
  await browser.close();

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  console.log('\nweb e2e results:');
  for (const r of results) {
    const ms = r.ms !== undefined ? ` (${r.ms} ms)` : '';
    console.log(`  ${r.status.toUpperCase().padEnd(7)} ${r.label}${ms}`);
    if (r.why) console.log(`          ${r.why.split('\n').join('\n          ')}`);
    if (r.status === 'passed') passed++;
    else if (r.status === 'skipped') skipped++;
    else failed++;
  }
  if (consoleErrors.length > 0) {
    failed++;
    console.log('  FAILED  browser console errors:');
    for (const e of consoleErrors) console.log(`          ${e}`);
  }
  console.log(`screenshots: ${outDir}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0;
}
