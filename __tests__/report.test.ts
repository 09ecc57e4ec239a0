import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary } from '../src/report/summary.js';
import { escapeText, code } from '../src/report/markdown.js';
import { gateOutputs } from '../src/action/outputs.js';
import { compare } from '../src/gate/compare.js';
import type { RunResult, Sample, Scenario } from '../src/types.js';

const evil = 'x | <img src=x onerror=alert(1)> [link](http://evil) **bold** `code`';

function result(scenarioName: string, path: string): RunResult {
  const scenario: Scenario = {
    name: scenarioName,
    method: 'GET',
    path,
    headers: {},
    connections: 4,
    durationSeconds: 2,
    timeoutSeconds: 10,
    thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
  };
  const mk = (rps: number, i: number): Sample => ({
    round: i + 1,
    target: 'app',
    scenario: scenarioName,
    startedAt: '',
    elapsedSeconds: 2,
    requests: rps * 2,
    rps: rps * (1 + (i % 2) * 0.005),
    latencyUs: { p50: 1000, p90: 2000, p99: 3000 * (1 + (i % 2) * 0.005), p999: 4000, max: 5000, mean: 1200 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 40, eventLoopDelayP99Ms: 1 },
  });
  const baseline = [0, 1, 2, 3, 4, 5].map((i) => mk(1000, i));
  const candidate = [0, 1, 2, 3, 4, 5].map((i) => mk(700, i));
  const comparison = compare({ scenarios: [scenario], target: 'app', candidate, baseline, baselineInfo: { source: 'baseline-file b.json', commit: 'abcdef1234567890' }, baselineExpected: true, confidence: 0.99 });
  return {
    schemaVersion: 1,
    meta: { createdAt: '', tool: { name: 'wsgi-perf-gate', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU', node: '20' } },
    settings: { rounds: 6, warmupSeconds: 1, confidence: 0.99, targets: [{ name: 'app', command: `gunicorn ${evil}`, url: 'http://127.0.0.1:8000' }], scenarios: [scenario], cpuPlacement: 'off' },
    samples: candidate,
    comparison,
    verdict: comparison.verdict,
  };
}

describe('renderSummary', () => {
  it('puts the verdict first, then a table per scenario', () => {
    const md = renderSummary(result('home', '/'));
    assert.ok(md.startsWith('## wsgi-perf-gate: ❌ regressed\n'));
    assert.match(md, /Regressions:\n- \*\*home\*\*: Requests\/s -30\.0% \(interval/);
    assert.match(md, /\| \*\*Requests\/s\*\* \| 1,003 \| 702 \| -30\.0% \| -30\.\d% … -2\d\.\d% \| ❌ regressed \|/);
    assert.match(md, /\| p50 latency \| 1\.00 ms \| 1\.00 ms \| \+0\.0% \| .* \| info \|/);
    assert.match(md, /at commit <code>abcdef123456<\/code>/);
  });

  it('a sequential gate says where it stopped and why, its looks and its budget', () => {
    const r = result('home', '/');
    r.settings.timeBudgetMinutes = 3;
    r.settings.rounds = 128;
    r.comparison.sequential = {
      looks: [{ look: 1, rounds: 20, confidence: 0.99984, decided: ['home'] }],
      plannedRounds: [20, 40, 60, 90, 128],
      stoppedAtLook: 1,
      rounds: 20,
      stoppedBecause: 'decided',
      open: [],
      scenarioLooks: { home: 1 },
    };
    const md = renderSummary(r);
    assert.match(md, /\nStopped at look 1 of 5 \(20 rounds per side\): every scenario was decided, so the remaining rounds were not needed\.\n/);
    assert.match(md, /- Up to 128 rounds of 2 s per target and scenario .*; time budget 3 min per measurement/);
    assert.match(md, /- Sequential looks after 20 \(bounds at 99\.984%\), 40, 60, 90, 128 rounds: each look spends a share of the 99% gate's error rate/);
  });

  it('names the statistic the intervals came from: signed ranks over rounds when paired, Mann-Whitney over trials against a stored run', () => {
    const stored = renderSummary(result('home', '/'));
    assert.match(stored, /shift of per-trial log values; each end of its interval is a one-sided 99% confidence bound \(Mann-Whitney\)\. p99 is pooled over each side's requests, its interval from a bootstrap over whole trials\./);
    const r = result('home', '/');
    r.comparison.baseline = { source: 'the base commit, booted beside the head in this job (paired rounds)', commit: 'abcdef1234567890', headCommit: '0123456789abcdef' };
    const paired = renderSummary(r);
    assert.match(paired, /shift of per-round log ratios \(the head against the base measured in the same round.*\(Wilcoxon signed-rank; .*\)\. p99 is pooled over each side's requests, its interval from a bootstrap over whole rounds\./);
    assert.doesNotMatch(paired, /per-trial log values/);
  });

  it('shows markdown and HTML in a scenario name, path or command as text', () => {
    const md = renderSummary(result(evil, `/search?q=${evil}`));
    assert.ok(!md.includes('<img'), 'no raw HTML');
    assert.ok(!md.includes('[link](http://evil)'), 'no link');
    assert.ok(!md.includes('**bold**'), 'no emphasis');
    // Every table row still has exactly 7 pipes: the name's | did not split a cell.
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.equal(line.split('|').length, 8, line);
    assert.ok(md.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(md.includes('<code>gunicorn x &#124; &lt;img'));
  });
});

describe('markdown helpers', () => {
  it('escapeText and code', () => {
    assert.equal(escapeText('a|b <i> *c* [d]'), 'a&#124;b &lt;i&gt; \\*c\\* \\[d\\]');
    assert.equal(code('a|b<c> [x](y)'), '<code>a&#124;b&lt;c&gt; \\[x\\](y)</code>');
  });
});

describe('gateOutputs', () => {
  it('gives the outputs action.yml declares from the first scenario', () => {
    const out = gateOutputs(result('home', '/'), '/tmp/results.json');
    assert.equal(out.verdict, 'regressed');
    assert.equal(out['results-file'], '/tmp/results.json');
    assert.equal(out['rps-change-pct'], '-30.00');
    assert.equal(out['p99-change-pct'], '0.00');
    assert.equal(out.rps, '701.8');
    assert.match(out['p99-ms']!, /^3\.00[78]$/);
    assert.equal(out['comment-url'], '');
  });
});
