// The pure parts of the history: record schema and migration, record paths, baseline
// selection, retention, the trend chart, the dashboard page and the new inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecord, parseRecordPath, recordPath, RECORD_SCHEMA_VERSION, UNKNOWN_VERSION, type RecordPathInfo } from '../src/store/record.js';
import { selectBaseline, trendRecords } from '../src/store/selection.js';
import { recordsToRemove } from '../src/store/retention.js';
import { configHash, describeFingerprintDifference, fingerprintHash } from '../src/store/fingerprint.js';
import { buildIndex, indexProblem } from '../src/store/historyIndex.js';
import { backoffMs } from '../src/store/dataBranch.js';
import { renderTrend } from '../src/report/trend.js';
import { renderDashboard } from '../src/report/dashboard.js';
import { renderSummary } from '../src/report/summary.js';
import { readConfig } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';
import { CONFIG, FINGERPRINT, recordAt, runAt, SCENARIO } from './helpers/records.js';

const FP = fingerprintHash(FINGERPRINT);
const info = (commit: string, time: string, fp = FP, config = CONFIG): RecordPathInfo =>
  parseRecordPath(`runs/${fp}/${commit}-${time}-${config}-abc123.json`)!;

describe('record schema', () => {
  it('round-trips a new record and names its file by runner, commit, time and config', () => {
    const rec = recordAt('a1b2c3d4', 120, 8, { createdAt: '2026-03-04T05:06:07.890Z' });
    const parsed = parseRecord(JSON.stringify(rec));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.record, rec);
    const p = recordPath(rec, 'ff00aa');
    assert.equal(p, `runs/${FP}/a1b2c3d4-20260304T050607Z-${CONFIG}-ff00aa.json`);
    assert.deepEqual(parseRecordPath(p), { path: p, fingerprintHash: FP, commit: 'a1b2c3d4', time: '20260304T050607Z', configHash: CONFIG });
    assert.equal(parseRecordPath('index.json'), undefined);
    assert.equal(parseRecordPath('runs/zz/x.json'), undefined);
  });

  it('migrates a schema-1 run (a results file) on read: runner kept, target versions unknown so it is never a baseline', () => {
    const v1 = runAt('0123abcd', 90, 12, '2025-06-01T00:00:00.000Z');
    const parsed = parseRecord(JSON.stringify(v1));
    assert.ok(parsed.ok);
    assert.equal(parsed.migratedFrom, 1);
    assert.equal(parsed.record.schemaVersion, RECORD_SCHEMA_VERSION);
    assert.equal(parsed.record.commit, '0123abcd');
    assert.deepEqual(parsed.record.fingerprint, { cpuModel: 'Test CPU 3000', cpus: 2, os: 'linux', arch: 'x64', python: UNKNOWN_VERSION, server: UNKNOWN_VERSION });
    assert.notEqual(parsed.record.fingerprintHash, FP);
    assert.equal(parsed.record.configHash, configHash({ scenarios: [SCENARIO], warmupSeconds: 0, command: 'gunicorn app:app' }));
    assert.equal(parsed.record.samples.length, 3);
    // It shows on the dashboard with its figures.
    const index = buildIndex([{ path: 'runs/x/y.json', record: parsed.record }]);
    assert.deepEqual(index.runs[0]!.scenarios, { home: { rps: 90, p99Ms: 12 } });
  });

  const bad: Array<[string, string, RegExp, boolean]> = [
    ['not JSON', '{', /^not valid JSON/, false],
    ['a newer schema', JSON.stringify({ schemaVersion: 7 }), /^schemaVersion 7 is newer than this version of the action understands \(2\); upgrade the action$/, true],
    ['a v2 record without a fingerprint', JSON.stringify({ ...recordAt('ab12', 1, 1), fingerprint: undefined }), /^not a wsgi-perf-gate run record \(fingerprint: /, false],
    ['a v1 run without samples', JSON.stringify({ schemaVersion: 1, meta: { createdAt: 'x' }, settings: { scenarios: [] } }), /^not a valid schema-1 run \(samples: /, false],
  ];
  for (const [name, text, problem, newer] of bad) {
    it(`refuses ${name} with a reason`, () => {
      const parsed = parseRecord(text);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.match(parsed.problem, problem);
      assert.equal(parsed.newer, newer);
    });
  }

  it('index: a newer or foreign index.json is not ours to replace', () => {
    assert.equal(indexProblem(JSON.stringify(buildIndex([]))), undefined);
    assert.match(indexProblem(JSON.stringify({ schemaVersion: 2, kind: 'wsgi-perf-gate/index', runs: [] }))!, /newer than this version/);
    assert.match(indexProblem('[1,')!, /^not valid JSON/);
    assert.match(indexProblem('{"schemaVersion":1,"kind":"other","runs":[]}')!, /^not a wsgi-perf-gate index \(kind: /);
  });
});

describe('fingerprint and config hash', () => {
  it('differ when what changes the numbers differs, not otherwise', () => {
    assert.equal(fingerprintHash({ ...FINGERPRINT }), FP);
    for (const change of [{ cpus: 4 }, { cpuModel: 'X' }, { os: 'darwin' }, { arch: 'arm64' }, { python: '3.12.0' }, { server: 'gunicorn (version 23.0.0)' }]) {
      assert.notEqual(fingerprintHash({ ...FINGERPRINT, ...change }), FP, JSON.stringify(change));
    }
    assert.equal(describeFingerprintDifference(FINGERPRINT, { ...FINGERPRINT, cpus: 4 }), 'core count 4 vs 2 here');
    const base = { scenarios: [SCENARIO], warmupSeconds: 1, command: 'gunicorn app:app -w 2' };
    const h = configHash(base);
    assert.equal(configHash({ ...base, scenarios: [{ ...SCENARIO, thresholds: { ...SCENARIO.thresholds, maxRpsDropPct: 1 } }] }), h, 'thresholds do not change the samples');
    assert.notEqual(configHash({ ...base, command: 'gunicorn app:app -w 4' }), h);
    assert.notEqual(configHash({ ...base, scenarios: [{ ...SCENARIO, path: '/other' }] }), h);
    assert.notEqual(configHash({ ...base, scenarios: [{ ...SCENARIO, connections: 8 }] }), h);
    assert.notEqual(configHash({ ...base, warmupSeconds: 3 }), h);
  });
});

describe('baseline selection', () => {
  const ancestry = ['m0', 'm1', 'm2', 'm3'].map((c) => c.replace('m', 'aaaa'));
  const [a0, a1, a2, a3] = ancestry as [string, string, string, string];

  it("takes the anchor's newest matching record", () => {
    const records = [info(a0, '20260101T000000Z'), info(a0, '20260102T000000Z'), info(a1, '20260103T000000Z')];
    const s = selectBaseline({ records, ancestry, fingerprintHash: FP, configHash: CONFIG });
    assert.equal(s.chosen?.time, '20260102T000000Z');
    assert.equal(s.distance, 0);
    assert.deepEqual(s.skipped, []);
  });

  it('else the nearest recorded ancestor, passing over other runners, configs and unreadable files', () => {
    const otherRunner = info(a0, '20260105T000000Z', 'bbbbbbbbbbbb');
    const otherConfig = info(a1, '20260105T000000Z', FP, 'dddddddddddd');
    const broken = info(a1, '20260104T000000Z');
    const good = info(a2, '20260101T000000Z');
    const elsewhere = info('cccc0000', '20260109T000000Z');
    const s = selectBaseline({
      records: [otherRunner, otherConfig, broken, good, elsewhere, info(a3, '20260101T000000Z')],
      ancestry,
      fingerprintHash: FP,
      configHash: CONFIG,
      unreadable: new Map([[broken.path, 'not valid JSON']]),
    });
    assert.equal(s.chosen, good);
    assert.equal(s.distance, 2);
    assert.deepEqual(s.skipped.map((k) => [k.record, k.reason.kind]), [[otherRunner, 'fingerprint'], [otherConfig, 'config'], [broken, 'unreadable']]);
    assert.equal(s.unrelated, 1);
    assert.equal(s.comparable, 4);
  });

  it('nothing matching: no choice (the caller reports inconclusive)', () => {
    const s = selectBaseline({ records: [info(a0, '20260101T000000Z', 'bbbbbbbbbbbb')], ancestry, fingerprintHash: FP, configHash: CONFIG });
    assert.equal(s.chosen, undefined);
    assert.equal(s.skipped.length, 1);
  });

  it('trend: newest matching record per recorded ancestor, at most N, oldest first', () => {
    const records = [info(a0, '20260104T000000Z'), info(a0, '20260105T000000Z'), info(a2, '20260102T000000Z'), info(a3, '20260101T000000Z'), info(a1, '20260103T000000Z', 'bbbbbbbbbbbb')];
    const t = trendRecords({ records, ancestry, fingerprintHash: FP, configHash: CONFIG }, 2);
    assert.deepEqual(t.map((r) => [r.commit, r.time]), [[a2, '20260102T000000Z'], [a0, '20260105T000000Z']]);
  });
});

describe('retention', () => {
  it('keeps the newest N per fingerprint and removes the rest', () => {
    const mine = [1, 2, 3, 4, 5].map((d) => info('abcd0000', `2026010${d}T000000Z`));
    const theirs = [1, 2].map((d) => info('abcd0000', `2026010${d}T000000Z`, 'bbbbbbbbbbbb'));
    const remove = recordsToRemove([...mine, ...theirs].reverse(), 2);
    assert.deepEqual(remove, [mine[0]!.path, mine[1]!.path, mine[2]!.path].sort());
    assert.deepEqual(recordsToRemove(mine, 100), []);
  });

  it('backoff is jittered and bounded', () => {
    assert.equal(backoffMs(1, () => 1), 250);
    assert.equal(backoffMs(3, () => 1), 1000);
    assert.equal(backoffMs(20, () => 1), 8000);
    assert.equal(backoffMs(4, () => 0), 0);
  });
});

describe('trend chart (Mermaid)', () => {
  const points = [
    { commit: '1111111aaaa', createdAt: '2026-01-01', scenarios: { home: { rps: 1234.4, p99Ms: 12.345 } } },
    { commit: '2222222bbbb', createdAt: '2026-01-02', scenarios: { home: { rps: 1300.6, p99Ms: 11.5 } } },
    { commit: '3333333cccc', createdAt: '2026-01-03', current: true, scenarios: { home: { rps: 99.5, p99Ms: 30 } } },
  ];

  it('draws requests/s and p99 lines labelled by short commit, this run last, in a details block', () => {
    const md = renderTrend(points, ['home']);
    assert.match(md, /^<details><summary>Trend: the last 2 recorded commit\(s\) on this runner and this run<\/summary>/);
    assert.ok(md.includes('```mermaid\nxychart-beta\n  title "Requests/s, home"\n  x-axis ["1111111", "2222222", "this run"]\n  y-axis "requests/s"\n  line [1234, 1301, 99.5]\n```'), md);
    assert.ok(md.includes('  title "p99 latency, home"\n  x-axis ["1111111", "2222222", "this run"]\n  y-axis "p99 (ms)"\n  line [12.35, 11.5, 30]'), md);
    assert.match(md, /<\/details>\n$/);
  });

  it('keeps user-controlled names out of the Mermaid syntax', () => {
    const evil = 'a"b`c<script>\nx';
    const md = renderTrend(points.map((p) => ({ ...p, commit: 'zz"]\n', scenarios: { [evil]: p.scenarios.home } })), [evil]);
    assert.ok(md.includes('title "Requests/s, a b c script x"'), md);
    assert.ok(md.includes('x-axis ["zz", "zz", "this run"]'), md);
    assert.ok(!md.includes('<script>'));
  });

  it('nothing to draw with fewer than two points', () => {
    assert.equal(renderTrend(points.slice(2), ['home']), '');
    assert.equal(renderTrend(points, ['missing']), '');
  });

  it('appears in the job summary with the baseline run and the runs passed over', () => {
    const result = runAt('4444', 100, 10);
    result.trend = points;
    result.comparison.baseline = {
      source: 'data branch perf-data',
      commit: '1111111aaaa',
      run: 'runs/abc/1111111aaaa-x.json',
      selection: 'the record of the merge-base 1111111aaaa',
      skipped: ['runs/abc/2.json (commit 2222): recorded on another runner (core count 4 vs 2 here)'],
    };
    const md = renderSummary(result);
    assert.match(md, /Baseline run: <code>runs\/abc\/1111111aaaa-x\.json<\/code>, the record of the merge-base 1111111aaaa\./);
    assert.match(md, /<details><summary>Recorded runs passed over<\/summary>\n\n- runs\/abc\/2\.json \(commit 2222\): recorded on another runner \(core count 4 vs 2 here\)/);
    assert.ok(md.includes('```mermaid\nxychart-beta\n  title "Requests/s, home"'));
  });
});

describe('dashboard page', () => {
  it('inlines the index (safely) and the drawing script; no network', () => {
    const rec = recordAt('abcdef12', 100, 10);
    rec.settings.scenarios = [{ ...SCENARIO, name: '</script><b>x' }];
    rec.samples = rec.samples.map((s) => ({ ...s, scenario: '</script><b>x' }));
    const html = renderDashboard(buildIndex([{ path: 'runs/a/b.json', record: rec }]));
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two script elements close');
    assert.ok(html.includes('\\u003c/script>\\u003cb>x'));
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(html), 'no external URL');
  });
});

describe('inputs', () => {
  const read = (inputs: Record<string, string>) =>
    readConfig({ getInput: (n) => inputs[n] ?? '', readFile: () => undefined, workspace: '/w', cores: 2 });
  it('history-keep-runs and baseline-branch', () => {
    assert.equal(read({ command: 'x' }).historyKeepRuns, 100);
    assert.equal(read({ command: 'x' }).baselineBranch, 'perf-data');
    assert.equal(read({ command: 'x', 'history-keep-runs': '7', 'baseline-branch': 'perf/history' }).historyKeepRuns, 7);
    assert.throws(() => read({ command: 'x', 'history-keep-runs': '0' }), (e: unknown) => e instanceof ConfigError && /^Input `history-keep-runs` is "0": expected a whole number of runs >= 1/.test(e.message));
    for (const bad of ['-f', 'a..b', 'x:y', 'a b', 'b/']) {
      assert.throws(() => read({ command: 'x', 'baseline-branch': bad }), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`Input \`baseline-branch\` is ${JSON.stringify(bad)}: expected a branch name`));
    }
  });
});
