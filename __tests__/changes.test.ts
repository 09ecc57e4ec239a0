// The watch over main, pure: the change-point detector on synthetic series with known answers
// (false alarms and found steps counted and printed; rates in docs/history.md), creep against
// an anchor, and which findings are new.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChangePoints, tPValue } from '../src/changes/detect.js';
import { measureCreep, parseAnchor } from '../src/changes/creep.js';
import { detectOptions, runToRunSpreadPct, SERIES, type WatchRun } from '../src/changes/series.js';
import { watchMain, type WatchSettings } from '../src/changes/watch.js';
import { seededRandom } from '../src/stats/random.js';
import type { Config } from '../src/types.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/paths.js';
import { readWatchSettings } from '../src/changes/settings.js';
import { renderWatch, renderWatchComment } from '../src/report/watch.js';
import { renderTrend } from '../src/report/trend.js';
import { dashboardMarks, renderDashboard } from '../src/report/dashboard.js';
import { indexChanges } from '../src/changes/fromIndex.js';
import { formatChanges } from '../src/changes/historyCommand.js';
import { measureRates, normal } from '../bench/change-points.js';

const EXACT = SERIES.find((s) => s.key === 'instructionsPerRequest')!;
const RPS = SERIES.find((s) => s.key === 'rps')!;
const CONFIG: Pick<Config, 'instructions' | 'scenarios'> = { instructions: { mode: 'on', maxIncreasePct: 0.5, warmupRequests: 20, windows: 3, requestsPerWindow: 'auto' }, scenarios: [] };
const SETTINGS: WatchSettings = { mode: 'report', anchor: { kind: 'pushes', pushes: 20 }, creepPct: 1.5, bisect: false };

/** Instructions per request as counted: ~0.1% apart from run to run (docs/instructions.md). */
function exactSeries(n: number, seed: number, step: (i: number) => number): number[] {
  const draw = normal(seededRandom(seed));
  return Array.from({ length: n }, (_, i) => 12.3e6 * (1 + step(i) / 100) * (1 + 0.001 * draw()));
}

const runsOf = (values: number[], reported: string[][] = []): WatchRun[] =>
  values.map((v, i) => ({ commit: `c${String(i).padStart(2, '0')}`.padEnd(40, '0'), createdAt: `2026-01-${String(i + 1).padStart(2, '0')}`, figures: { '/': { instructionsPerRequest: v } }, reported: reported[i] }));

describe('change points: the detector on synthetic series', () => {
  it('p-values of Student t match known values', () => {
    // t = 2.228 with 10 df is the 97.5% quantile; t = 3.169 the 99.5%.
    assert.ok(Math.abs(tPValue(2.228, 10) - 0.05) < 0.001, String(tPValue(2.228, 10)));
    assert.ok(Math.abs(tPValue(3.169, 10) - 0.01) < 0.0005, String(tPValue(3.169, 10)));
    assert.equal(tPValue(0, 5), 1);
  });

  it('1,000 noise-only series: false alarms at or below the 1% rate; steps of 1x, 2x, 4x the noise found at the stated rates', () => {
    const r = measureRates(1000);
    console.log(`false alarms: ${r.falseAlarms}/1000 noise-only series; steps found: 1x ${r.found['1x']}/1000, 2x ${r.found['2x']}/1000, 4x ${r.found['4x']}/1000`);
    // alpha 0.01 per series (Bonferroni over the splits is conservative): at most 1% plus 3 sd of a binomial(1000, 0.01).
    assert.ok(r.falseAlarms <= 19, `${r.falseAlarms} false alarms in 1,000 noise-only series`);
    // The rates stated in docs/history.md (measured: 7.8%, 57.9%, 97.5%), as lower bounds.
    assert.ok(r.found['4x']! >= 950, `4x: ${r.found['4x']}`);
    assert.ok(r.found['2x']! >= 500, `2x: ${r.found['2x']}`);
    assert.ok(r.found['1x']! >= 40, `1x: ${r.found['1x']}`);
  });

  it('an exact series: 1% and 0.6% steps are found at their run; a 0.3% step (below the 0.5% floor) and 1,000 noise-only series are not', () => {
    let falseAlarms = 0;
    let below = 0;
    let found = 0;
    let large = 0;
    for (let s = 0; s < 1000; s++) {
      const noise = exactSeries(20, s, () => 0);
      if (detectChangePoints(noise, detectOptions(EXACT, 0.5, noise)).length) falseAlarms++;
      const small = exactSeries(20, 5000 + s, (i) => (i >= 10 ? 0.3 : 0));
      if (detectChangePoints(small, detectOptions(EXACT, 0.5, small)).length) below++;
      const step = exactSeries(20, 9000 + s, (i) => (i >= 10 ? 0.6 : 0));
      if (detectChangePoints(step, detectOptions(EXACT, 0.5, step)).some((c) => c.index === 10)) found++;
      const big = exactSeries(20, 13000 + s, (i) => (i >= 10 ? 1 : 0));
      if (detectChangePoints(big, detectOptions(EXACT, 0.5, big)).some((c) => c.index === 10)) large++;
    }
    console.log(`exact series (sd 0.1%): ${falseAlarms}/1000 false alarms, ${below}/1000 with a 0.3% step flagged, 0.6% step found ${found}/1000, 1% step ${large}/1000`);
    assert.equal(falseAlarms, 0);
    // A 0.3% step is 2.4 sd of the window's mean below the floor: rarely over it (measured 10/1000).
    assert.ok(below <= 20, `0.3% step flagged ${below}/1000`);
    assert.ok(found >= 800, `0.6% step found ${found}/1000`);
    assert.ok(large >= 995, `1% step found ${large}/1000`);
  });

  it('a ramp of +0.3% per push has no change point (it is creep, not a step); a +3% step at the newest push is one', () => {
    const ramp = exactSeries(10, 1, (i) => 0.3 * i);
    assert.deepEqual(detectChangePoints(ramp, detectOptions(EXACT, 0.5, ramp)), []);
    const step = exactSeries(5, 2, (i) => (i === 4 ? 3 : 0));
    const cps = detectChangePoints(step, detectOptions(EXACT, 0.5, step));
    assert.equal(cps.length, 1);
    assert.equal(cps[0]!.index, 4);
    assert.ok(cps[0]!.changePct > 2.5 && cps[0]!.changePct < 3.5, String(cps[0]!.changePct));
    assert.equal(cps[0]!.runsAfter, 1);
  });

  it('wall-clock series: the floor is the gate threshold or 3x the measured spread, whichever is larger', () => {
    const draw = normal(seededRandom(3));
    const noisy = Array.from({ length: 20 }, () => 1000 * (1 + 0.04 * draw()));
    const spread = runToRunSpreadPct(noisy)!;
    assert.ok(spread > 2 && spread < 7, String(spread));
    const opts = detectOptions(RPS, 5, noisy);
    assert.equal(opts.minStepPct, Math.max(5, 3 * spread));
    assert.equal(opts.minNewest, 3);
  });
});

describe('creep', () => {
  it('eight pushes of +0.3%: +2.1% against the first, in 7 steps, the largest named', () => {
    const values = Array.from({ length: 8 }, (_, i) => 1e6 * 1.003 ** i);
    const creep = measureCreep({ runs: values.map((value, i) => ({ commit: `c${i}`, value })), anchor: { kind: 'pushes', pushes: 20 }, changePoints: [], worse: 1, noisePct: 0.04 })!;
    assert.equal(creep.anchorCommit, 'c0');
    assert.match(creep.anchorLabel, /the oldest recorded push, 7 push\(es\) ago/);
    assert.ok(Math.abs(creep.totalPct - 2.12) < 0.01, String(creep.totalPct));
    assert.equal(creep.worseSteps, 7);
    assert.equal(creep.largest.length, 3);
  });

  it('the anchor: N pushes back, or the last run at a tag', () => {
    const runs = [10, 11, 12, 13, 14].map((value, i) => ({ commit: `c${i}`, value, tags: i === 1 ? ['v1.4.0'] : undefined }));
    assert.equal(measureCreep({ runs, anchor: { kind: 'pushes', pushes: 2 }, changePoints: [], worse: 1, noisePct: 0 })!.anchorCommit, 'c2');
    const tagged = measureCreep({ runs, anchor: parseAnchor('tag:^v')!, changePoints: [], worse: 1, noisePct: 0 })!;
    assert.equal(tagged.anchorCommit, 'c1');
    assert.equal(tagged.anchorLabel, 'v1.4.0');
    assert.equal(measureCreep({ runs, anchor: parseAnchor('tag:^release-')!, changePoints: [], worse: 1, noisePct: 0 }), undefined);
    assert.equal(parseAnchor('0'), undefined);
    assert.equal(parseAnchor('soon'), undefined);
  });
});

describe('watchMain: findings and what is new', () => {
  it('a series with too few runs says how many more it needs', () => {
    const report = watchMain(runsOf(exactSeries(2, 4, () => 0)), SETTINGS, CONFIG);
    assert.equal(report.series[0]!.needsMore, 2);
    assert.deepEqual(report.changePoints, []);
  });

  it('a +3% step at push 5 of 10: one change point at that commit, new at push 5 only', () => {
    const values = exactSeries(10, 5, (i) => (i >= 4 ? 3 : 0));
    const reported: string[][] = [];
    for (let push = 1; push <= 10; push++) {
      const report = watchMain(runsOf(values.slice(0, push), reported), SETTINGS, CONFIG);
      reported.push(report.newKeys);
      if (push < 5) assert.deepEqual(report.changePoints, [], `push ${push}`);
      else {
        assert.equal(report.changePoints.length, 1, `push ${push}`);
        assert.equal(report.changePoints[0]!.commit, runsOf(values)[4]!.commit);
        assert.equal(report.changePoints[0]!.isNew, push === 5, `push ${push}`);
      }
      assert.deepEqual(report.creep, [], `a step is not creep (push ${push})`);
    }
    assert.equal(reported.flat().length, 1);
  });

  it('eight pushes of +0.3%: nothing early, creep named once it passes 1.5%, told once per level', () => {
    const values = exactSeries(8, 6, (i) => 0.3 * i);
    const reported: string[][] = [];
    const creepAt: number[] = [];
    for (let push = 1; push <= 8; push++) {
      const report = watchMain(runsOf(values.slice(0, push), reported), SETTINGS, CONFIG);
      reported.push(report.newKeys);
      assert.deepEqual(report.changePoints, [], `push ${push}`);
      if (report.creep.length) creepAt.push(push);
      if (push <= 5) assert.deepEqual(report.creep, [], `push ${push}`);
    }
    assert.deepEqual(creepAt, [7, 8]);
    assert.equal(reported.flat().length, 1, `reported: ${JSON.stringify(reported)}`);
  });
});

describe('watch: settings, reports, dashboard marks, history --changes', () => {
  const stepRuns = () => {
    const values = exactSeries(8, 7, (i) => (i >= 4 ? 3 : 0));
    return runsOf(values);
  };

  it('inputs: defaults, and one clear error per bad value', () => {
    const read = (inputs: Record<string, string>) => readWatchSettings((n) => inputs[n] ?? '');
    assert.deepEqual(read({}), { mode: 'report', anchor: { kind: 'pushes', pushes: 20 }, creepPct: 1.5, bisect: false });
    assert.deepEqual(read({ watch: 'fail', 'watch-anchor': 'tag', bisect: 'true', 'watch-creep-pct': '2' }), { mode: 'fail', anchor: { kind: 'tag' }, creepPct: 2, bisect: true });
    assert.throws(() => read({ watch: 'loud' }), /Input `watch` is "loud": expected one of off, report, fail/);
    assert.throws(() => read({ 'watch-anchor': 'last week' }), /Input `watch-anchor` is "last week": expected a whole number of pushes back/);
    assert.throws(() => read({ 'watch-creep-pct': '0' }), /Input `watch-creep-pct` is "0"/);
  });

  it('the summary names the change point with size and p-value; the commit comment only what is new', () => {
    const report = watchMain(stepRuns(), SETTINGS, CONFIG);
    const md = renderWatch(report);
    assert.match(md, /🆕 ⚠️ instructions per request on <code>\/<\/code> changed \+\d\.\d\d% \(worse\): 12\.\d{3}M → 12\.\d{3}M, at <code>c04[0]{9}<\/code> \(p [<=] [\d.]+, exact count; 4 pushes since\)/);
    assert.match(renderWatchComment(report)!, /wsgi-perf-gate: watch over main/);
    const later = watchMain(runsOf(exactSeries(8, 7, (i) => (i >= 4 ? 3 : 0)), [[], [], [], [], report.newKeys]), SETTINGS, CONFIG);
    assert.equal(renderWatchComment(later), undefined, 'nothing new: no comment');
    assert.doesNotMatch(renderWatch(later), /- 🆕/);
  });

  it('the trend chart marks the change point; the dashboard draws instructions per request and marks it', () => {
    const runs = stepRuns();
    const report = watchMain(runs, SETTINGS, CONFIG);
    const points = runs.map((r) => ({ commit: r.commit, createdAt: r.createdAt, scenarios: { '/': { rps: 100, p99Ms: 5, instructionsPerRequest: r.figures['/']!.instructionsPerRequest } } }));
    const trend = renderTrend(points, ['/'], report.changePoints);
    assert.match(trend, /title "Instructions per request, \/"\n {2}x-axis \["c000000", "c010000", "c020000", "c030000", "⚑ c040000"/);
    assert.match(trend, /⚑ marks the first commit after a change point/);
    const index = { schemaVersion: 1, kind: 'wsgi-perf-gate/index' as const, runs: runs.map((r, i) => ({ path: `runs/x/${i}.json`, commit: r.commit, createdAt: r.createdAt, fingerprintHash: 'f'.repeat(12), fingerprint: { cpuModel: 'cpu', cpus: 2, os: 'linux', arch: 'x64', python: '3.11', server: 'gunicorn' }, configHash: 'c'.repeat(12), scenarios: { '/': { rps: 100, p99Ms: 5, instructionsPerRequest: r.figures['/']!.instructionsPerRequest! } } })) };
    const marks = dashboardMarks(indexChanges(index));
    assert.deepEqual(marks.map((m) => [m.series, m.commit]), [['instructionsPerRequest', runs[4]!.commit]]);
    const html = renderDashboard(index, marks);
    assert.match(html, /key: 'instructionsPerRequest'/);
    assert.match(html, /"marks":\[\{"group":"f{12}\/c{12}","scenario":"\/","series":"instructionsPerRequest","commit":"c04/);
    assert.match(formatChanges(indexChanges(index)), /change {3}\/ instructions per request: \+\d\.\d\d% \(worse\) between c03[0]{9} and c04[0]{9}, p /);
    // The command line over a saved index.json, and its one clear error for a file of another kind.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-changes-'));
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    writeFileSync(path.join(dir, 'other.json'), '{"kind": "something"}');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'cli.ts'), 'history', ...args], { encoding: 'utf8', cwd: ROOT });
    const ok = cli('--changes', '--file', path.join(dir, 'index.json'));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^runner f{12}, config c{12}: 8 run\(s\)\n {2}change {3}\/ instructions per request: \+\d\.\d\d% \(worse\) between c03/);
    const bad = cli('--changes', '--file', path.join(dir, 'other.json'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--file \/.*\/other\.json: kind "something" is not wsgi-perf-gate\/index or wsgi-perf-gate\/baseline/);
  });
});
