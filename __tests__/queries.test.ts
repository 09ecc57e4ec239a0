// The queries gate's pure parts: fingerprints, the per-process file diff, the exact rule and the
// N+1, the rendered section, config, records and the trend; and the Python hook itself, run by
// the Debian Python on plain sqlite3 and SQLAlchemy, counted against the statements they send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fingerprint, MAX_FINGERPRINT_CHARS } from '../src/queries/fingerprint.js';
import { countsBetween, parseHookFile, type HookFile } from '../src/queries/counts.js';
import { judgeQueries, nPlusOne, statementChanges, NO_BASELINE } from '../src/queries/verdict.js';
import { QUERIES_DIR_ENV, QUERIES_SITECUSTOMIZE } from '../src/queries/pythonHook.js';
import { noneSeenNote } from '../src/queries/gate.js';
import { renderQueries } from '../src/report/queries.js';
import { renderTrend } from '../src/report/trend.js';
import { renderSummary } from '../src/report/summary.js';
import { readConfig } from '../src/config/config.js';
import { newRecord, parseRecord, trendFigures } from '../src/store/record.js';
import { buildIndex } from '../src/store/historyIndex.js';
import { failureMessage, gateOutputs } from '../src/action/outputs.js';
import { PY, ROOT } from './helpers/paths.js';
import type { QueriesMeasurement, QueriesResult, Sample, StatementCount } from '../src/types.js';

describe('fingerprint', () => {
  const cases: Array<[string, string]> = [
    ["SELECT * FROM users WHERE email = 'alice@example.com' AND id = 42", 'SELECT * FROM users WHERE email = ? AND id = ?'],
    ["select 'it''s', E'a\\'b', x'ff', $$secret$$, $t$x$t$ from t", 'select ?, ?, ?, ?, ? from t'],
    ['select * from t where a = %s and b = %(name)s and c = ? and d = :x and e = $1 and f = ?2', 'select * from t where a = ? and b = ? and c = ? and d = ? and e = ? and f = ?'],
    ['select x::text, y from t where z = -1.5e3 and w = a-1', 'select x::text, y from t where z = ? and w = a-?'],
    ['SELECT 1 FROM t WHERE id IN (1, 2, 3)', 'SELECT ? FROM t WHERE id IN (...)'],
    ['SELECT 1 FROM t WHERE id IN (%s,%s)', 'SELECT ? FROM t WHERE id IN (...)'],
    ['INSERT INTO t (a, b) VALUES (%s, %s), (%s, %s), (%s, %s)', 'INSERT INTO t (a, b) VALUES (...)'],
    ['select  a ,\n\tb  -- the secret is 1234\nfrom /* hidden 5678 */ t ;', 'select a , b from t'],
    ['SAVEPOINT "s140234_x1"', 'SAVEPOINT ?'],
    ['RELEASE SAVEPOINT "s9_x2"', 'RELEASE SAVEPOINT ?'],
    ['ROLLBACK TO SAVEPOINT sp_1', 'ROLLBACK TO SAVEPOINT ?'],
    ['select "col1", t2.c3 from "table 1" t2 where flag = TRUE and v IS NULL', 'select "col1", t2.c3 from "table 1" t2 where flag = ? and v IS ?'],
  ];
  for (const [sql, want] of cases) it(JSON.stringify(sql.slice(0, 50)), () => assert.equal(fingerprint(sql), want));

  it('no literal survives: digits and quoted values are gone', () => {
    const fp = fingerprint("UPDATE accounts SET token = 'sk_live_9f8e7d', balance = 1e6 WHERE user_id = 1234567 -- 42");
    assert.doesNotMatch(fp, /sk_live|9f8e7d|1234567|42|1e6/);
  });
  it('the same statement with other values or IN lists of other lengths shares a fingerprint', () => {
    assert.equal(fingerprint('SELECT * FROM t WHERE id IN (1, 2)'), fingerprint('SELECT * FROM t WHERE id IN (7, 8, 9, 10)'));
    assert.equal(fingerprint("SELECT * FROM t WHERE name = 'a'"), fingerprint("SELECT * FROM t WHERE name = 'bb'"));
  });
  it('long statements are cut', () => {
    assert.equal(fingerprint(`SELECT ${'a_long_column_name, '.repeat(100)}x FROM t`).length, MAX_FINGERPRINT_CHARS);
  });
});

const file = (statements: Record<string, [number, number]>, drivers = ['psycopg2'], others: string[] = []): HookFile => ({ drivers, others, statements });

describe('countsBetween', () => {
  it('the counted requests are the difference between two readings, grouped by fingerprint', () => {
    const before = new Map([[10, file({ 'SELECT 1 FROM t WHERE id = 1': [5, 0.005], 'SET TIME ZONE \'UTC\'': [5, 0.001] })]]);
    const after = new Map([
      [10, file({ 'SELECT 1 FROM t WHERE id = 1': [15, 0.015], 'SELECT 1 FROM t WHERE id = 2': [10, 0.01], "SET TIME ZONE 'UTC'": [25, 0.005] })],
      // a process that appeared meanwhile counts whole
      [11, file({ 'SELECT 1 FROM t WHERE id = 3': [10, 0.01] }, ['psycopg2'], ['asyncpg'])],
    ]);
    const c = countsBetween(before, after, 10);
    assert.deepEqual(
      c.statements.map((s) => [s.fingerprint, s.perRequest]),
      [
        ['SELECT ? FROM t WHERE id = ?', 3],
        ['SET TIME ZONE ?', 2],
      ],
    );
    assert.equal(c.perRequest, 5);
    assert.ok(Math.abs(c.msPerRequest - 3.4) < 1e-9, String(c.msPerRequest));
    assert.deepEqual(c.drivers, ['psycopg2']);
    assert.deepEqual(c.otherDrivers, ['asyncpg']);
  });
  it('a file cut short is not read', () => {
    assert.equal(parseHookFile('{"drivers": ['), undefined);
    assert.equal(parseHookFile('{"x": 1}'), undefined);
    assert.deepEqual(parseHookFile('{"drivers":[],"others":[],"statements":{}}'), { drivers: [], others: [], statements: {} });
  });
});

const measurement = (statements: Array<[string, number]>, target = 'head'): QueriesMeasurement => {
  const s: StatementCount[] = statements.map(([fingerprint, perRequest]) => ({ fingerprint, perRequest, msPerRequest: perRequest * 0.5 }));
  return { target, scenario: 'books', warmupRequests: 5, requests: 20, perRequest: s.reduce((a, x) => a + x.perRequest, 0), msPerRequest: s.reduce((a, x) => a + x.msPerRequest, 0), statements: s, drivers: ['psycopg2'], otherDrivers: [], seconds: 2 };
};
const RULE = { maxIncrease: 2, maxIncreasePct: 20 };
const JOIN = 'SELECT b.id, a.name FROM book b JOIN author a ON (b.author_id = a.id) LIMIT ?';
const BOOKS = 'SELECT b.id, b.author_id FROM book b LIMIT ?';
const AUTHOR = 'SELECT a.id, a.name FROM author a WHERE a.id = ? LIMIT ?';
const TZ = 'SET TIME ZONE ?';

describe('judgeQueries: the exact rule', () => {
  it('an N+1 over 20 rows regresses and is named', () => {
    const c = judgeQueries('books', 'head', measurement([[JOIN, 1], [TZ, 1]]), measurement([[AUTHOR, 20], [BOOKS, 1], [TZ, 1]]), RULE);
    assert.equal(c.verdict, 'regressed');
    assert.equal(c.change, 20);
    assert.equal(c.changePct, 1000);
    assert.deepEqual(c.nPlusOne, { fingerprint: AUTHOR, before: 0, after: 20, change: 20 });
    assert.deepEqual(c.changed.map((x) => [x.fingerprint, x.change]), [[AUTHOR, 20], [BOOKS, 1], [JOIN, -1]]);
    assert.match(c.reason, /^Queries per request 2 -> 22, \+20 \(\+1000%\); past the threshold \(\+2 and \+20%\)\. N\+1: `SELECT a\.id, a\.name FROM author a WHERE a\.id = \? LIMIT \?` runs 20 times per request \(was 0\)\.$/);
  });
  it('one deliberate extra query passes; the change is still shown', () => {
    const c = judgeQueries('books', 'head', measurement([[JOIN, 1], [TZ, 1]]), measurement([[JOIN, 1], [TZ, 1], ['SELECT count(*) FROM t', 1]]), RULE);
    assert.equal(c.verdict, 'pass');
    assert.equal(c.change, 1);
    assert.equal(c.changed.length, 1);
    assert.match(c.reason, /within the threshold/);
  });
  it('+2 on a page of 20 queries (+10%) passes; +2 on 10 (+20%) fails: both bounds must be reached', () => {
    assert.equal(judgeQueries('s', 't', measurement([[JOIN, 20]]), measurement([[JOIN, 22]]), RULE).verdict, 'pass');
    assert.equal(judgeQueries('s', 't', measurement([[JOIN, 10]]), measurement([[JOIN, 12]]), RULE).verdict, 'regressed');
    assert.equal(judgeQueries('s', 't', measurement([[JOIN, 10]]), measurement([[JOIN, 11.95]]), RULE).verdict, 'pass');
  });
  it('from zero queries any rise is past the percentage', () => {
    const c = judgeQueries('s', 't', measurement([]), measurement([[JOIN, 2]]), RULE);
    assert.equal(c.verdict, 'regressed');
    assert.equal(c.changePct, undefined);
  });
  it('identical counts pass with an empty change list; fewer queries improve', () => {
    const same = judgeQueries('s', 't', measurement([[JOIN, 1], [TZ, 1]]), measurement([[JOIN, 1], [TZ, 1]]), RULE);
    assert.equal(same.verdict, 'pass');
    assert.deepEqual(same.changed, []);
    assert.equal(same.reason, 'Queries per request unchanged: 2.');
    assert.equal(judgeQueries('s', 't', measurement([[AUTHOR, 20], [BOOKS, 1]]), measurement([[JOIN, 1]]), RULE).verdict, 'improved');
  });
  it('no baseline: pass, said so', () => {
    const c = judgeQueries('s', 't', undefined, measurement([[JOIN, 1]]), RULE);
    assert.deepEqual([c.verdict, c.reason, c.baseline], ['pass', NO_BASELINE, undefined]);
  });
  it('an N+1 needs repeats: a statement that goes 1 -> 3 is a change, not an N+1', () => {
    assert.equal(nPlusOne(statementChanges(measurement([[AUTHOR, 1]]), measurement([[AUTHOR, 3]]))), undefined);
    assert.equal(nPlusOne(statementChanges(measurement([[AUTHOR, 5]]), measurement([[AUTHOR, 10]])))?.after, 10);
  });
});

const result = (base: QueriesMeasurement, head: QueriesMeasurement): QueriesResult => {
  const c = judgeQueries('books', 'head', base, head, RULE);
  return { status: 'measured', measurements: [base, head], comparisons: [c], threshold: RULE, baselineSource: 'the base commit, counted in this job', verdict: c.verdict };
};

describe('renderQueries', () => {
  it('names the N+1 and lists the changed statements as fingerprints', () => {
    const md = renderQueries(result(measurement([[JOIN, 1], [TZ, 1]], 'base'), measurement([[AUTHOR, 20], [BOOKS, 1], [TZ, 1]])));
    assert.match(md, /^### Database queries per request — ❌ regressed/);
    assert.match(md, /\| books \| 2 \| 22 \| \+20 \(\+1000%\) \| 1\.00 ms → 11\.0 ms \| ❌ regressed \|/);
    assert.match(md, /\*\*N\+1 in books\*\*: <code>SELECT a\.id, a\.name FROM author a WHERE a\.id = \? LIMIT \?<\/code> runs 20 times per request \(was 0\)/);
    assert.match(md, /Statements whose count changed: books \(3\):/);
    assert.doesNotMatch(md, /<details>/, 'three rows stay open');
    assert.match(md, /fails from \+2 queries per request and \+20%/);
  });
  it('folds a long list under <details>', () => {
    const many = Array.from({ length: 6 }, (_, i) => [`SELECT ? FROM t${i}`, 1] as [string, number]);
    const md = renderQueries(result(measurement([[JOIN, 1]], 'base'), measurement([[JOIN, 1], ...many])));
    assert.match(md, /<details><summary>Statements whose count changed: books \(6\)<\/summary>/);
  });
  it('no queries seen: one line naming the counted drivers', () => {
    const note = noneSeenNote(['asyncpg']);
    assert.equal(note, 'Queries per request: no queries seen; drivers counted: sqlite3, psycopg, psycopg2, pymysql, MySQLdb; loaded and not counted: asyncpg.');
    assert.equal(renderQueries({ status: 'none-seen', note, measurements: [], comparisons: [], threshold: RULE, verdict: 'pass' }).trim(), note);
    assert.equal(renderQueries(undefined), '');
  });
});

describe('queries config', () => {
  const read = (inputs: Record<string, string>, yml?: string) =>
    readConfig({ getInput: (n) => inputs[n] ?? '', readFile: (f) => (f.endsWith('perf.yml') ? yml : undefined), workspace: '/w', cores: 2 });
  it('defaults: auto, +2 and +20%, 5 warm-up and 20 counted requests', () => {
    assert.deepEqual(read({ command: 'x' }).queries, { mode: 'auto', maxIncrease: 2, maxIncreasePct: 20, command: undefined, warmupRequests: 5, requests: 20 });
  });
  it('inputs and the config file', () => {
    const c = read({ command: 'x', queries: 'on', 'max-queries-increase': '1', config: 'perf.yml' }, 'queries:\n  max-increase: 5\n  max-increase-pct: 10\n  requests: 7\n  warmup-requests: 2\n  command: gunicorn app:app -w 1\n');
    assert.deepEqual(c.queries, { mode: 'on', maxIncrease: 1, maxIncreasePct: 10, command: 'gunicorn app:app -w 1', warmupRequests: 2, requests: 7 });
  });
  it('bad values name the input and what was expected', () => {
    assert.throws(() => read({ command: 'x', queries: 'sometimes' }), /queries.*sometimes/s);
    assert.throws(() => read({ command: 'x', 'max-queries-increase': 'many' }), /max-queries-increase.*many.*queries per request/s);
    assert.throws(() => read({ command: 'x', config: 'perf.yml' }, 'queries:\n  request: 7\n'), /unknown key "request" \(did you mean "requests"\?\) in queries/);
  });
});

const sample = (round: number): Sample =>
  ({ round, target: 'head', scenario: 'books', rps: 100, latencyUs: { p50: 1000, p90: 2000, p99: 3000, p999: 4000, max: 5000, mean: 1000 }, errorRatePct: 0, requests: 100, errors: { connection: 0, timeouts: 0, badStatus: {} }, durationSeconds: 1 }) as unknown as Sample;

describe('queries in records, trend and dashboard index', () => {
  const queries = result(measurement([[JOIN, 1]], 'head'), measurement([[JOIN, 1], [TZ, 1]]));
  it('a record keeps measured counts; records without them still load', () => {
    const fp = { cpuModel: 'c', cpus: 2, os: 'linux', arch: 'x64', python: '3.11', server: 'gunicorn' };
    const meta = { createdAt: '2026-12-01T00:00:00.000Z', commit: 'abc1234', tool: { name: 'x', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'c', node: '20' } };
    const settings = { rounds: 1, warmupSeconds: 0, confidence: 0.99, targets: [{ name: 'head', command: 'x', url: 'u' }], scenarios: [{ name: 'books', method: 'GET', path: '/books' }], cpuPlacement: 'off' } as never;
    const rec = newRecord({ meta, settings, samples: [sample(1)], queries }, fp, 'h');
    const back = parseRecord(JSON.stringify(rec));
    assert.ok(back.ok);
    assert.equal(back.record.queries?.measurements[1]?.perRequest, 2);
    const old = { ...rec } as Record<string, unknown>;
    delete old.queries;
    const oldBack = parseRecord(JSON.stringify(old));
    assert.ok(oldBack.ok && oldBack.record.queries === undefined);
    assert.equal(newRecord({ meta, settings, samples: [], queries: { ...queries, status: 'failed' } }, fp, 'h').queries, undefined);
    const index = buildIndex([{ path: 'runs/a/b.json', record: back.record }, { path: 'runs/a/c.json', record: oldBack.record }]);
    assert.deepEqual(index.runs.map((r) => r.scenarios.books?.queriesPerRequest), [2, undefined]);
  });
  it('the trend charts queries per request where two points have them', () => {
    const figures = trendFigures([sample(1)], 'head', undefined, queries);
    assert.equal(figures.books?.queriesPerRequest, 2);
    const md = renderTrend(
      [
        { commit: 'aaaaaaa', createdAt: 't1', scenarios: { books: { rps: 100, p99Ms: 3, queriesPerRequest: 1 } } },
        { commit: 'bbbbbbb', createdAt: 't2', current: true, scenarios: figures },
      ],
      ['books'],
    );
    assert.match(md, /title "Queries per request, books"[\s\S]*line \[1, 2\]/);
  });
  it('the summary puts a queries regression at the top and in the failure message', () => {
    const regressed = result(measurement([[JOIN, 1]], 'base'), measurement([[AUTHOR, 20], [BOOKS, 1]]));
    const run = { queries: regressed, comparison: { scenarios: [] }, verdict: 'regressed' } as never;
    assert.match(failureMessage(run), /books \(queries per request\): Queries per request 1 -> 21/);
    const outputs = gateOutputs(run, 'r.json');
    assert.equal(outputs['queries-per-request'], '21.00');
    assert.equal(outputs['queries-change'], '20.00');
    assert.equal(gateOutputs({ ...(run as object), queries: undefined } as never, 'r.json')['queries-change'], '', 'not counted: empty');
    const md = renderSummary({
      schemaVersion: 1,
      meta: { createdAt: 't', tool: { name: 'x', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'c', node: '20' } },
      settings: { rounds: 1, warmupSeconds: 0, confidence: 0.99, targets: [], scenarios: [], cpuPlacement: 'off' },
      samples: [],
      comparison: { scenarios: [], verdict: 'regressed' } as never,
      queries: regressed,
      verdict: 'regressed',
    });
    assert.match(md, /Regressions:\n- \*\*books\*\* \(queries per request\): Queries per request 1 -&gt; 21/);
    assert.match(md, /### Database queries per request — ❌ regressed/);
  });
});

describe('the Python hook (Debian Python)', () => {
  function runHooked(script: string): { file: HookFile; files: number } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-hook-'));
    try {
      mkdirSync(path.join(dir, 'startup'));
      mkdirSync(path.join(dir, 'counts'));
      writeFileSync(path.join(dir, 'startup', 'sitecustomize.py'), QUERIES_SITECUSTOMIZE);
      writeFileSync(path.join(dir, 'app.py'), script);
      execFileSync(PY, ['app.py'], { cwd: dir, env: { ...process.env, PYTHONPATH: path.join(dir, 'startup'), [QUERIES_DIR_ENV]: path.join(dir, 'counts') }, stdio: ['ignore', 'pipe', 'pipe'] });
      const names = readdirSync(path.join(dir, 'counts')).filter((n) => n.endsWith('.json'));
      return { file: parseHookFile(readFileSync(path.join(dir, 'counts', names[0]!), 'utf8'))!, files: names.length };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const calls = (f: HookFile) => Object.fromEntries(Object.entries(f.statements).map(([k, [n]]) => [k, n]));

  it('plain DB-API sqlite3: every execute, executemany and executescript once, the connection shortcuts too', () => {
    const { file, files } = runHooked(readFileSync(path.join(ROOT, '__tests__', 'fixtures', 'queries_sqlite_app.py'), 'utf8') + '\nrun_statements()\n');
    assert.equal(files, 1);
    assert.deepEqual(file.drivers, ['sqlite3']);
    // The module's own connection at import (1 each), then run_statements() on a fresh one.
    assert.deepEqual(calls(file), {
      'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)': 2,
      'INSERT INTO items (name) VALUES (?)': 2,
      'SELECT id, name FROM items WHERE id = ?': 3,
      'SELECT COUNT(*) FROM items': 1,
      'UPDATE items SET name = upper(name); SELECT 1;': 1,
    });
  });
  it('SQLAlchemy on sqlite3: the statements the engine sends, its own first-connect PRAGMA included', () => {
    const { file } = runHooked(`
import sqlalchemy as sa
engine = sa.create_engine("sqlite://")
with engine.begin() as conn:
    conn.execute(sa.text("CREATE TABLE u (id INTEGER PRIMARY KEY, v INTEGER)"))
    conn.execute(sa.text("INSERT INTO u (v) VALUES (:v)"), [{"v": 1}, {"v": 2}, {"v": 3}])
    for i in (1, 2):
        conn.execute(sa.text("SELECT v FROM u WHERE id = :i"), {"i": i}).all()
`);
    assert.deepEqual(file.drivers, ['sqlite3']);
    assert.deepEqual(calls(file), {
      'PRAGMA read_uncommitted': 1,
      'CREATE TABLE u (id INTEGER PRIMARY KEY, v INTEGER)': 1,
      'INSERT INTO u (v) VALUES (?)': 1,
      'SELECT v FROM u WHERE id = ?': 2,
    });
  });
  it('a driver the hook does not count (pg8000), imported after the start: named in the file at once', () => {
    const { file } = runHooked('import pg8000\n');
    assert.deepEqual(file, { drivers: [], others: ['pg8000'], statements: {} });
  });
  it('an app without a database: a file with no driver and no statement', () => {
    const { file } = runHooked('import json\nprint(json.dumps({}))\n');
    assert.deepEqual(file, { drivers: [], others: [], statements: {} });
  });
});
