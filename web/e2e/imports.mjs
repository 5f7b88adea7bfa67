// The import flow of the e2e run: upload a bookmark file as Firefox writes
// it on a collection's Import page, watch the progress bar, read the
// per-entry report, and see the imported links in the collection.
import { stillSignedIn } from './context.mjs';
import { check, eventually, Skip } from './harness.mjs';

const bookmarkFile = `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><H3 ADD_DATE="1690000000" LAST_MODIFIED="1690000900" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>
    <DL><p>
        <DT><A HREF="https://www.rust-lang.org/" ADD_DATE="1690000100" TAGS="lang">Rust — Ünïcödé &amp; more</A>
        <DD>A language empowering everyone
        <DT><A HREF="javascript:void(0)" ADD_DATE="1690000300">Bookmarklet</A>
    </DL><p>
    <DT><A HREF="https://sqlite.org/" ADD_DATE="1690000400">SQLite</A>
</DL>
`;

/** The owner imports a bookmark file and reads its report. */
export const importSteps = [
  {
    name: 'import a bookmark file with a report',
    async run(s) {
      const page = (s.page = s.ownerPage);
      const path = s.collectionURL + '/import';
      await page.goto(path);
      await stillSignedIn(page, path);
      await page.getByRole('heading', { name: 'Import bookmarks' }).waitFor();
      await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'bookmarks.html', mimeType: 'text/html', buffer: Buffer.from(bookmarkFile) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const progress = page.getByRole('progressbar', { name: 'Import progress' });
      await progress.waitFor();
      const box = page.locator('.import[data-status]');
      if (process.env.ATLAS_E2E_STACK !== 'dev') {
        check((await box.getAttribute('data-status')) === 'QUEUED', 'a new import is QUEUED');
        throw new Skip('no worker on this stack (atlas serve alone): the import stays queued');
      }
      await eventually(async () => (await box.getAttribute('data-status')) === 'SUCCEEDED', { timeout: 30_000, message: 'the import finished' });
      check((await progress.getAttribute('value')) === '100', 'the progress bar is full');
      await page.getByText('2 created, 0 updated, 1 skipped, 0 failed', { exact: true }).waitFor();
      const report = page.getByRole('table', { name: 'Import report' });
      await report.getByRole('cell', { name: 'not an http(s) link (javascript:)' }).waitFor();
      await report.getByRole('cell', { name: 'Bookmarklet' }).waitFor();
      // The imported links are items of the collection, tagged with their
      // folder (they keep their 2023 dates, so they sort after newer items).
      const tagged = `${s.collectionURL}?tag=bookmarks+toolbar`;
      await page.goto(tagged);
      await stillSignedIn(page, s.collectionURL);
      await page.getByText('Rust — Ünïcödé & more').waitFor();
    },
  },
];
