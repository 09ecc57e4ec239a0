// Bundles each entry point into one self-contained ESM file under dist/.
// autocannon and its dependencies are CommonJS (and call require() at run time), so the
// bundle gets a createRequire banner; without it esbuild's ESM output cannot require them.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const entries = { main: 'src/action/main.ts', post: 'src/action/post.ts', cli: 'src/cli/cli.ts' };

rmSync('dist', { recursive: true, force: true });
for (const [name, entry] of Object.entries(entries)) {
  await build({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
    banner: {
      js: [
        name === 'cli' ? '#!/usr/bin/env node' : '',
        "import { createRequire as __createRequire } from 'node:module';",
        'const require = __createRequire(import.meta.url);',
      ].filter(Boolean).join('\n'),
    },
  });
}
