// End-to-end flow of the dashboard against a real Atlas (started by
// `scripts/web e2e` with a fresh database): two people, a shared collection,
// items with tags, a viewer who can read but not edit, search, a team that
// shares a collection (and stops sharing it), jobs, imports and audit, email
// (an invitation and a password reset read back from Mailpit); reloads and
// tabs that stay signed in, signing out everywhere from a second browser, API
// tokens, feeds and public links, webhooks to a local receiver, and single
// sign-on through a real OpenID provider; the browser extension, the share
// target and the bookmarklet; a link on a local test site that dies (its
// archived copy offered), duplicates warned on save and merged. Each feature's
// steps live in a module of its own; this runner puts them in the flow's
// order (later steps build on earlier ones). Every route ships with the
// server, so one that answers 404 fails its step; only the steps that need
// Kafka and the consumers are skipped on a stack without them, saying why.
//
//   ATLAS_E2E_URL=http://127.0.0.1:8080 node e2e/run.mjs
import { auditSteps } from './audit.mjs';
import { registerSteps, sessionSteps, signOutSteps } from './auth.mjs';
import { collectionSteps, phoneSteps } from './collections.mjs';
import { emailSteps } from './email.mjs';
import { extensionSteps } from './extension.mjs';
import { baseURL, newPage, outDir } from './context.mjs';
import { dashboardSteps } from './dashboard.mjs';
import { runSteps } from './harness.mjs';
import { importSteps } from './imports.mjs';
import { itemSteps } from './items.mjs';
import { jobSteps } from './jobs.mjs';
import { linkHealthSteps } from './linkhealth.mjs';
import { memberSteps } from './members.mjs';
import { publicSteps } from './public.mjs';
import { searchSteps } from './search.mjs';
import { ssoSteps } from './sso.mjs';
import { teamSteps } from './teams.mjs';
import { webhookSteps } from './webhooks.mjs';

const steps = [
  ...registerSteps,
  ...collectionSteps,
  ...itemSteps,
  ...memberSteps,
  ...publicSteps,
  ...sessionSteps,
  ...searchSteps,
  ...teamSteps,
  ...jobSteps,
  ...importSteps,
  ...webhookSteps,
  ...auditSteps,
  ...dashboardSteps,
  ...linkHealthSteps,
  ...phoneSteps,
  ...extensionSteps,
  ...emailSteps,
  ...signOutSteps,
  ...ssoSteps,
];

const ok = await runSteps({
  baseURL,
  outDir,
  steps,
  async setup({ browser, consoleErrors }) {
    const s = { browser, consoleErrors };
    s.ownerPage = await newPage(browser, consoleErrors, 'owner');
    s.viewerPage = await newPage(browser, consoleErrors, 'viewer');
    s.current = () => s.page;
    return s;
  },
});
process.exit(ok ? 0 : 1);
