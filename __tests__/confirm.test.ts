import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { confirmationBaseline, confirmComparison, needsConfirmation, withoutConfirmation } from '../src/gate/confirm.js';
import { renderSummary } from '../src/report/summary.js';
import type { Comparison, MetricComparison, MetricName, RunResult, Verdict } from '../src/types.js';

function metric(name: MetricName, verdict: Verdict, changePct: number, gating = true): MetricComparison {
  return { metric: name, baseline: 100, candidate: 100 + changePct, changePct, ciLowPct: changePct - 3, ciHighPct: changePct + 3, thresholdPct: 5, verdict, gating, reason: `${name} ${changePct}%.` };
}

function comparison(...metrics: MetricComparison[]): Comparison {
  const verdict = metrics.some((m) => m.gating && m.verdict === 'regressed') ? 'regressed' : 'pass';
  return { scenarios: [{ scenario: 'home', target: 'app', metrics, verdict, excludedTrials: [], warnings: [] }], verdict };
}

describe('confirmation run', () => {
  it('is asked for only when an estimated, gating metric regressed', () => {
    assert.equal(needsConfirmation(comparison(metric('rps', 'regressed', -12))), true);
    assert.equal(needsConfirmation(comparison(metric('rps', 'pass', -1))), false);
    // Errors that happened are facts: an error rate over its limit is not measured again.
    assert.equal(needsConfirmation(comparison(metric('errorRate', 'regressed', 0))), false);
  });

  it('a regression found again stands, with both changes in the reason', () => {
    const c = confirmComparison(comparison(metric('rps', 'regressed', -12), metric('p99', 'pass', 2)), comparison(metric('rps', 'regressed', -10), metric('p99', 'regressed', 30)));
    assert.equal(c.verdict, 'regressed');
    const rps = c.scenarios[0]!.metrics[0]!;
    assert.equal(rps.confirmation?.changePct, -10);
    assert.match(rps.reason, /^rps -12%\. Confirmed by a second measurement with fresh servers: rps -10%\.$/);
    // A metric that passed first is not re-judged by the second run's verdict.
    assert.equal(c.scenarios[0]!.metrics[1]!.verdict, 'pass');
  });

  it('a regression that does not repeat becomes inconclusive, not pass', () => {
    const c = confirmComparison(comparison(metric('rps', 'regressed', -12)), comparison(metric('rps', 'pass', -1)));
    assert.equal(c.verdict, 'inconclusive');
    assert.equal(c.scenarios[0]!.verdict, 'inconclusive');
    assert.match(c.scenarios[0]!.metrics[0]!.reason, /Not confirmed: a second measurement with fresh servers found rps -1%\./);
    assert.deepEqual(c.confirmation, { verdict: 'pass' });
  });

  it('an error-rate regression stays whatever the second run says', () => {
    const c = confirmComparison(comparison(metric('rps', 'regressed', -12), metric('errorRate', 'regressed', 0)), comparison(metric('rps', 'pass', 0), metric('errorRate', 'pass', 0)));
    assert.equal(c.verdict, 'regressed');
    assert.equal(c.scenarios[0]!.metrics[0]!.verdict, 'inconclusive');
    assert.equal(c.scenarios[0]!.metrics[1]!.verdict, 'regressed');
  });

  it('the report says whether the confirmation held and shows the second change', () => {
    const result = (c: Comparison) =>
      ({
        schemaVersion: 1,
        meta: { createdAt: '', tool: { name: 'x', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', node: '20' } },
        settings: { rounds: 5, warmupSeconds: 1, confidence: 0.99, targets: [], scenarios: [], cpuPlacement: 'off' },
        samples: [],
        comparison: c,
        verdict: c.verdict,
      }) as RunResult;
    const held = renderSummary(result(confirmComparison(comparison(metric('rps', 'regressed', -12)), comparison(metric('rps', 'regressed', -10)))));
    assert.match(held, /Confirmed: the regression was measured twice/);
    assert.match(held, /\| -12\.0% \(again -10\.0%\) \|/);
    assert.doesNotMatch(held, /could tell apart/, 'no resolution line without a detectable figure');
    const sharp = renderSummary(result(comparison({ ...metric('rps', 'pass', 1), detectablePct: 3.04 }, { ...metric('p99', 'pass', 1), detectablePct: 8 })));
    assert.match(sharp, /This run could tell apart changes of about Requests\/s ±3\.0%, p99 latency ±8\.0%; smaller ones are within its noise\./);
    const gone = renderSummary(result(confirmComparison(comparison(metric('rps', 'regressed', -12)), comparison(metric('rps', 'pass', 1)))));
    assert.match(gone, /## wsgi-perf-gate: ⚠️ inconclusive/);
    assert.match(gone, /Not confirmed: a regression that the first measurement found did not show again/);
  });
});

describe('independent confirmation', () => {
  it('paired: the base booted again; stored: the newest other comparable run; none: not confirmed', () => {
    assert.equal(confirmationBaseline({ paired: true, others: [] }).kind, 'paired');
    const other = confirmationBaseline({ paired: false, others: [{ run: 'older', label: 'of commit a' }, { run: 'newer', label: 'of commit b' }] });
    assert.deepEqual(other, { kind: 'other-run', run: 'newer', against: 'another recorded run, of commit b' });
    const none = confirmationBaseline({ paired: false, others: [] });
    assert.equal(none.kind, 'none');
    assert.match((none as { reason: string }).reason, /only one comparable run is recorded/);
  });

  it('without an independent baseline a measured regression stands as measured once, and the report says why', () => {
    const c = withoutConfirmation(comparison(metric('rps', 'regressed', -12), metric('errorRate', 'pass', 0)), 'only one comparable run is recorded');
    assert.equal(c.verdict, 'regressed');
    assert.equal(c.scenarios[0]!.metrics[0]!.verdict, 'regressed');
    assert.match(c.scenarios[0]!.metrics[0]!.reason, /Measured once, not confirmed: only one comparable run is recorded\.$/);
    const md = renderSummary({
      schemaVersion: 1,
      meta: { createdAt: '', tool: { name: 'x', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', node: '20' } },
      settings: { rounds: 5, warmupSeconds: 1, confidence: 0.99, targets: [], scenarios: [], cpuPlacement: 'off' },
      samples: [],
      comparison: c,
      verdict: c.verdict,
    });
    assert.match(md, /Not confirmed: no independent second measurement was possible \(only one comparable run is recorded\); the verdict stands as measured once\./);
  });

  it('a confirmation against another run names it in the report', () => {
    const c = confirmComparison(comparison(metric('rps', 'regressed', -12)), comparison(metric('rps', 'regressed', -10)), 'another recorded run, of commit b');
    assert.deepEqual(c.confirmation, { verdict: 'regressed', against: 'another recorded run, of commit b' });
  });
});
