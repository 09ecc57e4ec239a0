// action.yml, the README (and docs/) and the code agree on the public names: every input is documented
// in a table of the README or a docs/ page and read by the code; every output is documented and set.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers/paths.js';

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
// The reference is the README and the pages under docs/ it links to.
const docsDir = path.join(ROOT, 'docs');
const readme = [path.join(ROOT, 'README.md'), ...(existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => path.join(docsDir, f)) : [])]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const source = ['config/config.ts', 'config/mergeSettings.ts', 'action/main.ts', 'action/outputs.ts'].map((f) => readFileSync(path.join(ROOT, 'src', f), 'utf8')).join('\n');

describe('public interface', () => {
  for (const name of Object.keys(action.inputs)) {
    it(`input ${name} is in the README and read by the code`, () => {
      assert.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'));
      assert.ok(source.includes(`'${name}'`), `src does not read ${name}`);
    });
  }
  for (const name of Object.keys(action.outputs)) {
    it(`output ${name} is in the README and set by the code`, () => {
      assert.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'));
      assert.ok(source.includes(`'${name}'`) || source.includes(`${name}:`), `src does not set ${name}`);
    });
  }
});
