// action.yml, the docs and the code agree on the public names: every input is documented and
// read by the code, the inputs promised first (INTERFACE.md) are all still declared, inputs that
// moved to the config file still work, descriptions stay one sentence, every output is set.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ACTION_INPUTS, MOVED_INPUTS } from '../src/config/inputs.js';
import { configFileSchema } from '../src/config/configFile.js';
import { ROOT } from './helpers/paths.js';

type Described = Record<string, { description: string }>;
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Described; outputs: Described };
// The README and every page under docs/ (a feature's inputs may live in its own page, e.g. docs/sharding.md).
const docsDir = path.join(ROOT, 'docs');
const docs = ['README.md', ...(existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f)) : [])]
  .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
  .join('\n');
const source = ['config/config.ts', 'config/inputs.ts', 'config/mergeSettings.ts', 'action/main.ts', 'action/outputs.ts'].map((f) => readFileSync(path.join(ROOT, 'src', f), 'utf8')).join('\n');
const documented = (name: string) => new RegExp(`^\\| \`${name}\`[ |,]`, 'm').test(docs) || new RegExp(`^\\| [^|]*\`${name}\``, 'm').test(docs);

/** The inputs INTERFACE.md promised first: each stays an input of action.yml. */
const PROMISED = [
  'command', 'server', 'app', 'workers', 'working-directory', 'url', 'ready-path', 'ready-timeout-seconds', 'path', 'config',
  'connections', 'duration-seconds', 'warmup-seconds', 'rounds', 'compare-to', 'baseline-branch', 'baseline-file', 'record',
  'max-rps-drop-pct', 'max-p99-increase-pct', 'max-error-rate-pct', 'max-memory-increase-pct', 'confidence',
  'fail-on-regression', 'comment', 'github-token',
];

describe('public interface', () => {
  it('the code knows exactly the inputs action.yml declares (for did-you-mean)', () => {
    assert.deepEqual([...ACTION_INPUTS].sort(), Object.keys(action.inputs).sort());
  });
  it('every promised input is still declared', () => {
    for (const name of PROMISED) assert.ok(name in action.inputs, name);
  });
  for (const [name, { description }] of Object.entries(action.inputs)) {
    it(`input ${name} is documented, read by the code, and described in one sentence`, () => {
      assert.ok(documented(name), `${name} is not in a table of README.md or docs/configuration.md`);
      assert.ok(source.includes(`'${name}'`), `src does not read ${name}`);
      assert.match(description, /\.$/, 'ends with a full stop');
      assert.doesNotMatch(description.replace(/e\.g\./g, 'eg'), /[.!?] [A-Z]/, 'one sentence');
      assert.ok(description.length <= 160, `${description.length} characters`);
    });
  }
  for (const [input, key] of Object.entries(MOVED_INPUTS)) {
    it(`moved input ${input} is a config file key, still read as an input, and documented`, () => {
      assert.ok(!(input in action.inputs), 'no longer declared');
      assert.ok(key in configFileSchema.shape, `config file key ${key}`);
      assert.ok(source.includes(`'${input}'`), `src still reads the input ${input}`);
      assert.ok(documented(key), key);
    });
  }
  for (const [name, { description }] of Object.entries(action.outputs)) {
    it(`output ${name} is documented and set by the code`, () => {
      assert.ok(documented(name), name);
      assert.ok(source.includes(`'${name}'`) || source.includes(`${name}:`), `src does not set ${name}`);
      assert.ok(description.length <= 160);
    });
  }
});
