// "Where the instructions went" names Python functions on CPython 3.12+ (perf trampoline), end to
// end: dist/main.js paired in a real git repository on pyenv's 3.12.1 (a venv with gunicorn and
// Django, __tests__/helpers/python312.ts), an app whose head makes one method ~3% of the request
// heavier, and a Django book list whose head drops select_related (an N+1: 1 -> 41 queries). On
// Debian's Python 3.11 the table lists C functions, one row each, without build paths.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction, type ActionRun } from './helpers/runner.js';
import { commitFile, git } from './helpers/gitRepo.js';
import { python312 } from './helpers/python312.js';
import { definitionLine } from '../src/instructions/definitionLine.js';
import type { InstructionsComparison, RunResult } from '../src/types.js';

const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const APP = readFileSync(path.join(FIXTURES, 'py_functions_app.py'), 'utf8');
/** One more round in Catalog.price_total (~+3.4% of the request, measured 3.21M -> 3.32M), and a line above it so the head's line differs from the base's. */
const HEAVIER = `# Prices take one more round.\n${APP.replace('PRICE_ROUNDS = 20', 'PRICE_ROUNDS = 21')}`;
assert.notEqual(HEAVIER.replace(/^# .*\n/, ''), APP);

const INPUTS = {
  url: 'http://127.0.0.1:$PORT',
  'duration-seconds': '0.3',
  'warmup-seconds': '0',
  rounds: '5',
  connections: '1',
  confirm: 'false',
  'compare-to': 'base',
  instructions: 'on',
};
const REPOSITORY = 'octo/shop';

function comparisonOf(run: ActionRun): InstructionsComparison {
  const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
  assert.equal(result.instructions?.status, 'measured', `${result.instructions?.note}\n${run.stdout}`);
  return result.instructions!.comparisons[0]!;
}

const details = (summary: string) => /<details><summary>Where the instructions went[\s\S]*?<\/details>/.exec(summary)?.[0] ?? '';

let procs: ProcessInfo[];
let perfMaps: string[];
const maps = () => readdirSync('/tmp').filter((f) => /^perf-\d+\.map$/.test(f));
before(() => {
  procs = serverProcesses();
  perfMaps = maps();
});
after(() => {
  assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running');
  assert.deepEqual(maps().filter((f) => !perfMaps.includes(f)), [], 'every perf map written was removed');
});

describe('where the instructions went, Python 3.12 (paired, real git repository)', () => {
  it('a method made ~3% heavier is the first row, by file.py:function, with a link to its line at the head', async (t) => {
    const py = python312();
    const dirs = newRunnerDirs();
    const ws = dirs.workspace;
    git(ws, 'init', '-q', '-b', 'main');
    mkdirSync(path.join(ws, 'shop'));
    const baseSha = commitFile(ws, 'shop/app.py', APP, 'base');
    git(ws, 'checkout', '-q', '-b', 'feature');
    const headSha = commitFile(ws, 'shop/app.py', HEAVIER, 'one more price round');
    const run = await runAction('main', dirs, {
      inputs: { ...INPUTS, command: `${py} -m gunicorn --chdir shop app:app --bind 127.0.0.1:$PORT --workers 1` },
      sha: headSha,
      baseSha,
      env: { GITHUB_REPOSITORY: REPOSITORY, GITHUB_SERVER_URL: 'https://github.com' },
      timeoutMs: 300_000,
    });
    const c = comparisonOf(run);
    t.diagnostic(details(run.summary));
    assert.equal(c.verdict, 'regressed', `${c.reason}\n${run.stdout}`);
    assert.ok(c.changePct! > 2 && c.changePct! < 5, `change ${c.changePct}%`);
    assert.equal(c.functionNames, 'python', run.stdout);
    const first = c.functions![0]!;
    assert.equal(first.fn, 'shop/app.py:Catalog.price_total', JSON.stringify(c.functions, null, 1));
    assert.equal(first.kind, 'app');
    const line = definitionLine(HEAVIER, 'Catalog.price_total')!;
    assert.equal(line, APP.split('\n').findIndex((l) => l.includes('def price_total')) + 2, 'the head moved it one line down');
    assert.equal(first.link, `https://github.com/${REPOSITORY}/blob/${headSha}/shop/app.py#L${line}`);
    // Its own cost rose by about a twentieth (20 -> 21 rounds); its callers only passed that on.
    assert.ok(first.after / first.before > 1.03 && first.after / first.before < 1.07, `${first.before} -> ${first.after}`);
    assert.equal(first.callsBefore, 1);
    assert.equal(first.callsAfter, 1);
    assert.ok((first.callers ?? 0) >= 2, `render and app fold into it (gunicorn's handlers are the trunk): ${first.callers}`);
    // The server's own wobble between boots (headers parsed, a socket accepted: a few hundred instructions) is not listed.
    assert.ok(c.functions!.every((f) => Math.abs(f.after - f.before) >= 0.01 * (first.after - first.before)), JSON.stringify(c.functions, null, 1));
    // The unchanged function is not listed; no row names the interpreter's C functions.
    assert.ok(!c.functions!.some((f) => /describe|_PyEval|\.c:/.test(f.fn)), JSON.stringify(c.functions));
    const table = details(run.summary);
    assert.match(table, /\(Python functions, inclusive instructions per request/);
    assert.match(table, new RegExp(`<a href="https://github.com/${REPOSITORY}/blob/${headSha}/shop/app.py#L${line}"><code>shop/app.py:Catalog.price\\\\_total</code></a>`));
    assert.match(table, /Profiling cost: \d+ s/);
    assert.doesNotMatch(table, /python-build|Python-3\.12\.1\//, 'no build paths');
  });
});

describe('where the instructions went, Django N+1 on Python 3.12', () => {
  it('names the view and the ORM function whose calls per request rise', async (t) => {
    const py = python312();
    const dirs = newRunnerDirs();
    const ws = dirs.workspace;
    git(ws, 'init', '-q', '-b', 'main');
    cpSync(path.join(FIXTURES, 'django_library'), ws, { recursive: true, filter: (src) => !/__pycache__|db\.sqlite3/.test(src) });
    git(ws, 'add', '-A');
    git(ws, 'commit', '-q', '-m', 'library');
    const baseSha = git(ws, 'rev-parse', 'HEAD').trim();
    git(ws, 'checkout', '-q', '-b', 'feature');
    const views = readFileSync(path.join(ws, 'catalog', 'views.py'), 'utf8');
    const headSha = commitFile(ws, 'catalog/views.py', views.replace('.select_related("author")', ''), 'list books without select_related');
    const run = await runAction('main', dirs, {
      inputs: { ...INPUTS, command: `${py} -m gunicorn library.wsgi:application --bind 127.0.0.1:$PORT --workers 1`, path: '/books/', 'ready-path': '/books/' },
      sha: headSha,
      baseSha,
      env: { GITHUB_REPOSITORY: REPOSITORY },
      timeoutMs: 400_000,
    });
    const c = comparisonOf(run);
    t.diagnostic(`${c.reason}\n${details(run.summary)}`);
    assert.equal(c.verdict, 'regressed', `${c.reason}\n${run.stdout}`);
    assert.equal(c.functionNames, 'python', run.stdout);
    const rows = c.functions!;
    const names = rows.map((f) => `${f.fn} ${f.callsBefore}->${f.callsAfter}`).join('\n');
    // The app's own change comes first: the view's get_queryset, where select_related went.
    assert.equal(rows[0]!.fn, 'catalog/views.py:BookListView.get_queryset', names);
    assert.match(rows[0]!.link ?? '', new RegExp(`^https://github.com/${REPOSITORY}/blob/${headSha}/catalog/views.py#L10$`));
    // The loop: a function of Django's ORM called once per book in the head, not in the base.
    const loop = rows.find((f) => f.kind === 'library' && f.package === 'django' && /^django\/db\//.test(f.fn) && (f.callsBefore ?? 0) <= 1 && (f.callsAfter ?? 0) >= 40);
    assert.ok(loop, `an ORM function called 40 times per request:\n${names}`);
    assert.ok(!rows.some((f) => /_PyEval|_PyFunction_Vectorcall/.test(f.fn)), names);
    assert.match(details(run.summary), /→ 4\d/);
  });
});

describe('where the instructions went, Python 3.11', () => {
  it('one row per C function, no build paths, and the hint that 3.12+ names Python functions', async () => {
    const dirs = newRunnerDirs();
    const ws = dirs.workspace;
    git(ws, 'init', '-q', '-b', 'main');
    const baseSha = commitFile(ws, 'app.py', APP, 'base');
    git(ws, 'checkout', '-q', '-b', 'feature');
    const headSha = commitFile(ws, 'app.py', HEAVIER, 'one more price round');
    const run = await runAction('main', dirs, { inputs: { ...INPUTS, command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 1` }, sha: headSha, baseSha, timeoutMs: 240_000 });
    const c = comparisonOf(run);
    assert.equal(c.verdict, 'regressed', `${c.reason}\n${run.stdout}`);
    assert.equal(c.functionNames, 'c');
    const fns = c.functions!.map((f) => f.fn);
    assert.ok(fns.length > 0);
    const symbols = fns.map((f) => f.replace(/ \[[^\]]+\]$/, ''));
    assert.equal(new Set(fns).size, fns.length);
    assert.ok(symbols.every((s) => !/'\d+$/.test(s) && !s.includes('/')), `one row per function, no recursion levels or paths:\n${fns.join('\n')}`);
    const table = details(run.summary);
    assert.doesNotMatch(table, /Python-3\.11|\/build\/|\.c:|\.h:/, 'no build paths');
    assert.match(table, /on Python 3\.12 and newer this table names the Python functions/);
  });
});
