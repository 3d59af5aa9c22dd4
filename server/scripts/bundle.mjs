// Bundles the server into one file, dist/conveyor-server.js. Native modules stay external:
// better-sqlite3 is shipped next to the bundle in node_modules; pg-native and cpu-features are
// optional and never loaded.
import { build } from 'esbuild';
import { chmodSync, cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'conveyor-server.js');
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'linked',
  // ssh2 (via dockerode) tries an optional native crypto addon in a try/catch and falls back to JS.
  external: ['better-sqlite3', '@duckdb/node-api', 'pg-native', 'cpu-features', '*.node'],
  // ESM dependencies (fdir via tinyglobby) call createRequire(import.meta.url): give them the bundle's URL.
  define: { 'import.meta.url': '__conveyorBundleUrl' },
  banner: { js: "#!/usr/bin/env node\n'use strict';\nconst __conveyorBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning'
});
chmodSync(outfile, 0o755);
// Built-in components and pipeline templates, read at run time beside the bundle (dist/assets;
// hatch_build.py ships every entry of dist/ in the wheel).
rmSync(join(root, 'dist', 'assets'), { recursive: true, force: true });
cpSync(join(root, 'assets'), join(root, 'dist', 'assets'), { recursive: true });
process.stdout.write(`wrote ${outfile}\n`);
