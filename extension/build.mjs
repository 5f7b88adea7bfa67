// Builds the browser extension from this one source tree for Chromium and
// Firefox: Vite (the dashboard's, from web/node_modules) bundles the popup,
// the options page and the background worker with the dashboard's API client
// and generated types; each browser gets its own manifest.
//
//   node extension/build.mjs      → extension/dist/chromium, extension/dist/firefox
//
// Load dist/chromium unpacked (chrome://extensions, developer mode), or
// dist/firefox as a temporary add-on (about:debugging); see the README.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeIcons } from './icons.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..', 'web');
const dist = join(here, 'dist');
const version = JSON.parse(readFileSync(join(here, 'version.json'), 'utf8')).version;

/** The manifest both browsers share (Manifest V3). */
function baseManifest() {
  return {
    manifest_version: 3,
    name: 'Atlas',
    short_name: 'Atlas',
    version,
    description: 'Save the page you are on to Atlas, with a quote, tags and a copy of the page as you see it.',
    icons: { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' },
    action: {
      default_title: 'Save to Atlas',
      default_popup: 'popup.html',
      default_icon: { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png' },
    },
    options_ui: { page: 'options.html', open_in_tab: true },
    // activeTab + scripting read the page the person saves; host access
    // reaches the Atlas server they configure (any address) and the page
    // a context-menu save or the popup opened as a page reads.
    permissions: ['activeTab', 'scripting', 'storage', 'contextMenus'],
    host_permissions: ['http://*/*', 'https://*/*'],
    commands: {
      _execute_action: {
        suggested_key: { default: 'Alt+Shift+S', mac: 'Alt+Shift+S' },
        description: 'Save the current page to Atlas',
      },
    },
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'none'" },
  };
}

/** The manifest differences per browser. */
const targets = {
  chromium: (m) => ({ ...m, background: { service_worker: 'background.js', type: 'module' } }),
  firefox: (m) => ({
    ...m,
    background: { scripts: ['background.js'], type: 'module' },
    browser_specific_settings: { gecko: { id: 'browser-extension@atlas.invalid', strict_min_version: '128.0' } },
  }),
};

async function bundle(outDir) {
  const require = createRequire(join(web, 'package.json'));
  const { build } = await import(pathToFileURL(require.resolve('vite')).href);
  await build({
    root: here,
    base: './',
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      modulePreload: false, // no inline or injected scripts: the extension's CSP allows only its own files
      target: 'es2022',
      sourcemap: false,
      minify: false, // reviewers of an add-on store read the code as written
      rollupOptions: {
        input: { popup: join(here, 'popup.html'), options: join(here, 'options.html'), background: join(here, 'src/background.ts') },
        output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name].js', assetFileNames: 'assets/[name][extname]' },
      },
    },
  });
}

rmSync(dist, { recursive: true, force: true });
const first = join(dist, 'chromium');
await bundle(first);
writeIcons(join(first, 'icons'), [16, 32, 48, 128]);
for (const [name, make] of Object.entries(targets)) {
  const out = join(dist, name);
  if (out !== first) {
    mkdirSync(out, { recursive: true });
    cpSync(first, out, { recursive: true });
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(make(baseManifest()), null, 2) + '\n');
}
console.log(`extension ${version}: built ${Object.keys(targets).map((t) => `dist/${t}`).join(', ')}`);
