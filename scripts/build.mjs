// Bundles each entry point into one self-contained ESM file under dist/, and keeps the
// license notices of the bundled code in dist/licenses.txt: each bundled package's license
// file (from esbuild's metafile), then the legal comments esbuild extracted from the code.
// autocannon and its dependencies are CommonJS (and call require() at run time), so the
// bundle gets a createRequire banner; without it esbuild's ESM output cannot require them.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const entries = { main: 'src/action/main.ts', post: 'src/action/post.ts', cli: 'src/cli/cli.ts' };

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
const packageDirs = new Set();
const legalComments = new Set();
for (const [name, entry] of Object.entries(entries)) {
  const result = await build({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'external',
    metafile: true,
    write: false,
    logLevel: 'warning',
    banner: {
      js: [
        name === 'cli' ? '#!/usr/bin/env node' : '',
        "import { createRequire as __createRequire } from 'node:module';",
        'const require = __createRequire(import.meta.url);',
      ].filter(Boolean).join('\n'),
    },
  });
  for (const file of result.outputFiles) {
    if (file.path.endsWith('.LEGAL.txt')) legalComments.add(file.text.trim());
    else writeFileSync(file.path, file.contents, { mode: name === 'cli' ? 0o755 : 0o644 });
  }
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packageDirs.add(m[1]);
  }
}

// One notice per distinct license text, naming every package that carries it (the 200-odd
// @stdlib packages share one Apache-2.0 text).
const byText = new Map();
for (const dir of [...packageDirs].sort()) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `(no license file; package.json says ${pkg.license})`;
  byText.set(text, [...(byText.get(text) ?? []), `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})`]);
}
const notices = [...byText].map(([text, names]) => `${names.join('\n')}\n\n${text}\n`);
const comments = [...legalComments].filter(Boolean);
writeFileSync(
  'dist/licenses.txt',
  [
    'Third-party code bundled in dist/*.js, with its license notices.',
    '',
    ...notices.map((n) => `${'-'.repeat(72)}\n${n}`),
    ...(comments.length ? [`${'-'.repeat(72)}\nLegal comments found in the bundled code:\n`, ...comments] : []),
  ].join('\n') + '\n',
);
if (!existsSync('dist/licenses.txt')) throw new Error('dist/licenses.txt was not written');
