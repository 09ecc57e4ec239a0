// Every workflow a user may copy (the README's and docs' YAML blocks, examples/workflows/)
// and the repository's own (.github/workflows/) is valid GitHub workflow syntax, passes only
// inputs action.yml has, and points at bundled examples that exist; action.yml is a valid action.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ACTION_REPO, checkAction, checkMarkdownBlock, checkWorkflow, gateSteps, yamlBlocks } from './helpers/workflowCheck.js';
import { ROOT } from './helpers/paths.js';
import { readCommentSettings, readConfig } from '../src/config/config.js';
import { checkInputNames } from '../src/config/inputs.js';
import { readMergeSettings } from '../src/config/mergeSettings.js';
import { errorMessage } from '../src/errors.js';

/**
 * What the action's own readers say about a workflow's `with:` of this action, as main.ts reads
 * it: the input names, the mode, then the mode's settings (readConfig for a gate: every value,
 * the config file, rounds the confidence can be reached with). A value that is an expression
 * other than the matrix's (`${{ github... }}`) is known only in the run, so it is left out. A
 * config file outside examples/ is the user's own: the inputs are read with a stand-in that has
 * only scenarios, eight of them (a sharded example splits the user's scenarios over N jobs).
 */
const USERS_OWN_CONFIG = `scenarios:\n${Array.from({ length: 8 }, (_, i) => `  - { name: s${i}, path: /s${i} }`).join('\n')}\n`;
function readerProblems(text: string, file: string): string[] {
  const problems: string[] = [];
  for (const step of gateSteps(text, file)) {
    const inputs = Object.fromEntries(
      Object.entries(step.with)
        .map(([k, v]) => [k, String(v)] as const)
        .filter(([, v]) => !v.includes('${{')),
    );
    const getInput = (name: string) => inputs[name] ?? '';
    try {
      checkInputNames(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));
      const { mode } = readCommentSettings({ getInput, workspace: ROOT, runnerTemp: '/tmp' });
      if (mode === 'merge') readMergeSettings({ getInput, workspace: ROOT, runnerTemp: '/tmp' });
      if (mode !== 'gate') continue;
      readConfig({
        getInput,
        readFile: (f) => {
          if (!f.startsWith(path.join(ROOT, 'examples') + path.sep)) return f === path.resolve(ROOT, inputs.config ?? '\0') ? USERS_OWN_CONFIG : undefined;
          return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
        },
        workspace: ROOT,
        cores: 4,
        exists: existsSync,
      });
    } catch (err) {
      problems.push(`${step.where}: ${errorMessage(err)}`);
    }
  }
  return problems;
}

const yamlFiles = (dir: string) =>
  existsSync(path.join(ROOT, dir)) ? readdirSync(path.join(ROOT, dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`) : [];
const markdownFiles = ['README.md', ...(existsSync(path.join(ROOT, 'docs')) ? readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])];
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('workflow files', () => {
  const examples = yamlFiles('examples/workflows');
  const own = yamlFiles('.github/workflows');

  it('there are example workflows for every server and mode, and the repository has its own', () => {
    for (const name of ['flask-factory-gunicorn', 'django-gunicorn', 'uwsgi', 'waitress', 'paired-base-setup', 'fork-safe-perf', 'fork-safe-perf-comment', 'shootout', 'django-postgres']) {
      assert.ok(examples.includes(`examples/workflows/${name}.yml`), `examples/workflows/${name}.yml is missing`);
    }
    assert.ok(own.length > 0, 'no .github/workflows');
  });

  for (const file of [...examples, ...own]) {
    it(`${file} is a valid workflow that runs the action as action.yml allows`, () => {
      assert.deepEqual(checkWorkflow(read(file), file), []);
    });
    it(`${file}: the action's own config reader accepts the inputs of every step that runs it`, () => {
      assert.ok(gateSteps(read(file), file).length > 0 || !/wsgi-perf-gate@|uses: \.\//.test(read(file)), 'steps found');
      assert.deepEqual(readerProblems(read(file), file), []);
    });
  }

  it('the repository runs itself with uses: ./ on pushes and pull requests, one run per ref, and checks dist/', () => {
    const text = own.map(read).join('\n');
    assert.match(text, /uses: \.\/\n/);
    assert.match(text, /^concurrency:/m);
    assert.match(text, /git diff --exit-code[^\n]* dist/);
    for (const file of own) {
      const on = read(file);
      assert.match(on, /^on:[\s\S]*push[\s\S]*pull_request/m, `${file} runs on push and pull_request`);
    }
  });

  it('action.yml is a valid action', () => {
    assert.deepEqual(checkAction(read('action.yml')), []);
  });
});

describe('YAML in the README and docs', () => {
  for (const file of markdownFiles) {
    it(`every YAML block in ${file} is a whole valid workflow or a valid config file`, () => {
      const problems = yamlBlocks(read(file)).flatMap((b) => checkMarkdownBlock(b, file));
      assert.deepEqual(problems, []);
    });
  }

  it('the README shows a whole workflow with the published action', () => {
    const blocks = yamlBlocks(read('README.md'));
    const first = blocks.find((b) => b.text.includes(`uses: ${ACTION_REPO}@v1`));
    assert.ok(first, `no README block uses ${ACTION_REPO}@v1`);
    assert.match(first.text, /^jobs:/m);
    assert.match(first.text, /runs-on:/);
    assert.match(first.text, /fetch-depth: 0/);
  });
});

describe('the checks themselves refuse what GitHub would refuse', () => {
  // The README's first workflow before this check existed (commit 01af0ae): no jobs:, no runs-on:.
  const stepsWithoutJobs = `on:
  push: { branches: [main] }
  pull_request:
permissions:
  contents: write
steps:
  - uses: actions/checkout@v5
    with: { fetch-depth: 0 }
  - uses: ${ACTION_REPO}@v1
    with:
      command: gunicorn app:app --bind 127.0.0.1:$PORT
`;
  const whole = (step: string, checkout = '      - uses: actions/checkout@v5\n        with: { fetch-depth: 0 }\n') =>
    `on: pull_request\njobs:\n  perf:\n    runs-on: ubuntu-latest\n    steps:\n${checkout}${step}`;

  it('a workflow with steps but no jobs', () => {
    const problems = checkMarkdownBlock({ text: stepsWithoutJobs, line: 1 }, 'README.md');
    assert.ok(problems.some((p) => /steps' is not allowed/.test(p)) && problems.some((p) => /\/jobs/.test(p)), problems.join('\n'));
  });

  it('a list of steps shown on its own is checked as steps of a job: a gate needs its checkout, inputs must exist', () => {
    assert.deepEqual(checkMarkdownBlock({ text: '- uses: actions/checkout@v5\n', line: 3 }, 'README.md'), []);
    const gateAlone = checkMarkdownBlock({ text: `- uses: ${ACTION_REPO}@v1\n  with: { path: / }\n`, line: 3 }, 'README.md');
    assert.match(gateAlone.join('\n'), /^README\.md:3 \(a list of steps\): .*fetch-depth: 0/);
    const misspelt = checkMarkdownBlock({ text: `- uses: ${ACTION_REPO}@v1\n  with: { mode: merge, comand: x }\n`, line: 3 }, 'README.md');
    assert.match(misspelt.join('\n'), /input comand is not in action\.yml/);
    assert.notDeepEqual(checkMarkdownBlock({ text: '- uses: actions/checkout@v5\n  whith: {}\n', line: 3 }, 'README.md'), []);
  });

  it('a job without runs-on', () => {
    assert.notDeepEqual(checkWorkflow('on: push\njobs:\n  a:\n    steps:\n      - run: true\n', 'x.yml'), []);
  });

  it('an input action.yml does not have, and another owner', () => {
    const problems = checkWorkflow(whole(`      - uses: someone/wsgi-perf-gate@v1\n        with: { comand: gunicorn app:app }\n`), 'x.yml');
    assert.ok(problems.some((p) => /input comand is not in action\.yml/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /expected .*wsgi-perf-gate@v1/.test(p)), problems.join('\n'));
  });

  it('a comparing gate without fetch-depth: 0', () => {
    const problems = checkWorkflow(whole(`      - uses: ./\n        with: { command: x }\n`, '      - uses: actions/checkout@v5\n'), 'x.yml');
    assert.match(problems.join('\n'), /fetch-depth: 0/);
  });

  it('a bundled app, requirements file or config that does not exist', () => {
    const problems = checkWorkflow(
      whole(
        `      - run: pip install -r requirements-missing.txt\n        working-directory: examples/flask\n` +
          `      - uses: ./\n        with: { server: gunicorn, app: 'nosuch:create_app()', working-directory: examples/flask-factory }\n` +
          `      - uses: ./\n        with: { config: examples/nosuch.yml, compare-to: none }\n`,
      ),
      'x.yml',
    );
    assert.match(problems.join('\n'), /requirements-missing\.txt does not exist/);
    assert.match(problems.join('\n'), /app nosuch:create_app\(\) is not in examples\/flask-factory/);
    assert.match(problems.join('\n'), /config examples\/nosuch\.yml does not exist/);
  });

  it('inputs the config reader refuses: rounds too few for the confidence in stored mode, a bad value, a misspelt name', () => {
    const gate = (w: string) => whole(`      - uses: ./\n        with: { ${w} }\n`);
    assert.match(readerProblems(gate('server: gunicorn, app: "app:app", rounds: 3'), 'x.yml').join('\n'), /rounds/);
    assert.match(readerProblems(gate('command: x, connections: many'), 'x.yml').join('\n'), /connections/);
    assert.match(readerProblems(gate('command: x, mode: merge, record: sometimes'), 'x.yml').join('\n'), /record/);
    assert.match(readerProblems(gate('command: x, duraton-seconds: 1'), 'x.yml').join('\n'), /did you mean/);
    assert.deepEqual(readerProblems(gate('command: x, rounds: 5, base-ref: "${{ github.sha }}"'), 'x.yml'), []);
  });

  it('an action without its entry point', () => {
    const broken = read('action.yml').replace(/^ {2}main: .*\n/m, '');
    assert.notDeepEqual(checkAction(broken), []);
  });
});
