// Lints the extension with the dashboard's rules and packages (from
// web/node_modules): run from the repository's root,
//   web/node_modules/.bin/eslint --max-warnings=0 -c extension/eslint.config.mjs extension
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../web/package.json', import.meta.url));
const load = async (name) => (await import(pathToFileURL(require.resolve(name)).href)).default;
const js = await load('@eslint/js');
const globals = await load('globals');
const tseslint = await load('typescript-eslint');

export default tseslint.config(
  { ignores: ['extension/dist/**'] },
  {
    files: ['extension/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.webextensions } },
    rules: { '@typescript-eslint/consistent-type-imports': 'error' },
  },
  {
    files: ['extension/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
);
