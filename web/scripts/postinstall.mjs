// Runs after `npm install`/`npm ci`: marks node_modules as a separate Go module so
// `go build ./...` and `go test ./...` at the repository root never descend into
// npm packages that happen to ship .go files.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules');
writeFileSync(join(nodeModules, 'go.mod'), 'module atlas.invalid/web/node_modules\n\n// Keeps the Go toolchain out of node_modules.\n');
