#!/usr/bin/env node
// Extracts from GitHub's OpenAPI description (@octokit/openapi, pinned below) only what the
// tests' GitHub API stand-in uses: the operations the action calls, the schemas, parameters
// and examples they reference, and every other path with its methods' operationIds only (so
// the stand-in still tells "no such path" from "a real operation it does not serve"). The
// full package is 385 MB; the fixture is a few hundred kB, so `npm ci` for the tests stays small.
//
//   node scripts/extract-openapi-fixture.mjs           write __tests__/fixtures/github-openapi.json
//   node scripts/extract-openapi-fixture.mjs --check   exit 1 when the committed fixture differs
//   options: --fixture FILE (another fixture path), --offline (exit 3 when the package is not
//   installed, instead of fetching the pinned tarball with `npm pack` into a temp dir)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE = '@octokit/openapi';
export const PINNED = '23.0.2';
const SPEC_FILE = 'generated/api.github.com.json';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FIXTURE = path.join(ROOT, '__tests__', 'fixtures', 'github-openapi.json');

/** The operations the action calls (src/github), served by __tests__/helpers/githubApi.ts. */
const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['get', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls'],
  ['post', '/repos/{owner}/{repo}/commits/{commit_sha}/comments'],
  ['get', '/user'],
];
/** Response examples the stand-in shapes its answers from. */
const EXAMPLES = ['issue-comment', 'pull-request', 'pull-request-simple-items', 'private-user', 'commit-comment'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The description: from node_modules when the pinned version is installed, else fetched. */
function loadSpec(offline) {
  const installed = path.join(ROOT, 'node_modules', PACKAGE);
  if (existsSync(path.join(installed, 'package.json'))) {
    const { version } = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    if (version === PINNED) return JSON.parse(readFileSync(path.join(installed, SPEC_FILE), 'utf8'));
    console.error(`${PACKAGE}@${version} is installed, not the pinned ${PINNED}: fetching ${PINNED}`);
  }
  if (offline) {
    console.error(`${PACKAGE}@${PINNED} is not installed (--offline): nothing checked`);
    process.exit(3);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'octokit-openapi-'));
  try {
    const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${PINNED}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').at(-1);
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp, `package/${SPEC_FILE}`], { timeout: 120_000 });
    return JSON.parse(readFileSync(path.join(tmp, 'package', SPEC_FILE), 'utf8'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function at(doc, ref) {
  return ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((o, k) => o[k], doc);
}

/** The fixture: kept operations whole, their references closed over, other operations as stubs. */
export function extract(doc) {
  const kept = new Set(OPERATIONS.map(([m, p]) => `${m} ${p}`));
  for (const key of kept) {
    const [m, p] = key.split(' ');
    if (!doc.paths[p]?.[m]) throw new Error(`${PACKAGE}@${PINNED} has no ${m.toUpperCase()} ${p}: update OPERATIONS`);
  }
  const paths = {};
  for (const [template, item] of Object.entries(doc.paths)) {
    const out = {};
    const keepsAny = METHODS.some((m) => kept.has(`${m} ${template}`));
    if (keepsAny && item.parameters) out.parameters = item.parameters;
    for (const m of METHODS) {
      if (!item[m]) continue;
      out[m] = kept.has(`${m} ${template}`) ? item[m] : { operationId: item[m].operationId };
    }
    paths[template] = out;
  }
  const components = {};
  const queue = [...Object.values(paths), ...EXAMPLES.map((name) => ({ $ref: `#/components/examples/${name}` }))];
  const seen = new Set();
  while (queue.length) {
    const node = queue.pop();
    if (!node || typeof node !== 'object') continue;
    if (typeof node.$ref === 'string' && !seen.has(node.$ref)) {
      seen.add(node.$ref);
      const [, section, name] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(node.$ref) ?? [];
      if (!section) throw new Error(`unexpected reference ${node.$ref}`);
      const target = at(doc, node.$ref);
      (components[section] ??= {})[name] = target;
      queue.push(target);
    }
    for (const v of Object.values(node)) if (v && typeof v === 'object') queue.push(v);
  }
  for (const section of Object.keys(components)) components[section] = Object.fromEntries(Object.entries(components[section]).sort(([a], [b]) => a.localeCompare(b)));
  return { openapi: doc.openapi, info: doc.info, 'x-extracted-from': `${PACKAGE}@${PINNED}`, paths, components };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const fixture = args.includes('--fixture') ? path.resolve(args[args.indexOf('--fixture') + 1]) : DEFAULT_FIXTURE;
  const text = `${JSON.stringify(extract(loadSpec(args.includes('--offline'))), null, 1)}\n`;
  if (args.includes('--check')) {
    if (!existsSync(fixture) || readFileSync(fixture, 'utf8') !== text) {
      console.error(`${path.relative(ROOT, fixture)} is not the extract of ${PACKAGE}@${PINNED}: run node scripts/extract-openapi-fixture.mjs`);
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, fixture)} matches ${PACKAGE}@${PINNED}`);
  } else {
    writeFileSync(fixture, text);
    console.log(`wrote ${path.relative(ROOT, fixture)} (${(text.length / 1024).toFixed(0)} kB) from ${PACKAGE}@${PINNED}`);
  }
}
