// action.yml, the docs and the code agree on the public names: every input is documented and
// read by the code, the inputs of the first release are all still declared, inputs that moved
// to the config file still work, descriptions stay one sentence, every output is set; and what
// is generated from action.yml (the README and docs/configuration.md tables, the code's input
// list, the command line's flags and help, the JSON Schema's descriptions) has not drifted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ACTION_INPUTS, MOVED_INPUTS } from '../src/config/inputs.js';
import { configFileSchema } from '../src/config/configFile.js';
import { ROOT } from './helpers/paths.js';
import { CONFIG_SCHEMA_FILE, staleFiles } from '../scripts/schemas.js';
import { ACTION_ONLY_INPUTS, RUN_FLAGS, runFlagsHelp } from '../src/cli/flags.js';

type Described = Record<string, { description: string }>;
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Described; outputs: Described };
// The README and every page under docs/ (a feature's inputs may live in its own page, e.g. docs/sharding.md).
const docsDir = path.join(ROOT, 'docs');
const docs = ['README.md', ...(existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f)) : [])]
  .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
  .join('\n');
const source = ['config/config.ts', 'config/inputs.ts', 'config/mergeSettings.ts', 'action/main.ts', 'action/outputs.ts', 'changes/settings.ts'].map((f) => readFileSync(path.join(ROOT, 'src', f), 'utf8')).join('\n');
const documented = (name: string) => new RegExp(`^\\| \`${name}\`[ |,]`, 'm').test(docs) || new RegExp(`^\\| [^|]*\`${name}\``, 'm').test(docs);

/** The inputs of the first release: each stays an input of action.yml, so workflows keep working. */
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

describe('the reference generated from action.yml', () => {
  it('is fresh everywhere: README and docs tables, src/config/reference.generated.ts, the JSON Schemas (npm run schemas)', () => {
    assert.deepEqual(staleFiles(), []);
  });
  it('the README and docs/configuration.md tables list every input and output with its action.yml description', () => {
    for (const file of ['README.md', 'docs/configuration.md']) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [name, { description }] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
        assert.ok(text.includes(`| \`${name}\` | ${description.replace(/\|/g, '\\|')}`), `${file}: ${name}`);
      }
    }
  });
  it('the command line takes every input a local run can use, with its description in the help', () => {
    const help = runFlagsHelp();
    for (const [name, { description }] of Object.entries(action.inputs)) {
      if (ACTION_ONLY_INPUTS.has(name)) continue;
      assert.ok(RUN_FLAGS.includes(name), `--${name}`);
      assert.match(help, new RegExp(`--${name} +${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    for (const name of ACTION_ONLY_INPUTS) assert.ok(name in action.inputs, `${name} is still an input`);
  });
  it('config file keys that are also inputs carry the input\'s description in the JSON Schema', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as { properties: Record<string, { description?: string; properties?: unknown }> };
    for (const key of ['rounds', 'connections', 'duration-seconds', 'warmup-seconds', 'confidence']) {
      assert.equal(schema.properties[key]?.description, action.inputs[key]!.description, key);
    }
  });
});

describe('the version', () => {
  it('has one home, package.json: the runs record it from there and no source file repeats it', async () => {
    const { TOOL } = await import('../src/pipeline/pipeline.js');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(TOOL.version, version);
    const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const f of sources) assert.ok(!readFileSync(path.join(ROOT, 'src', f), 'utf8').includes(`'${version}'`), `src/${f} hard-codes ${version}`);
  });
});
