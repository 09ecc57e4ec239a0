// One rule for "measured the same way": the hash the data branch files runs by and the field
// checks of the baseline file and the CLI's compare agree, and name what differs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { comparableRuns, incomparableRun, runDifferences, scenarioDifferences, type MeasuredAs } from '../src/gate/comparability.js';
import { scenarioMismatch } from '../src/gate/compare.js';
import { configHash } from '../src/store/fingerprint.js';
import type { Scenario } from '../src/types.js';

const scenario: Scenario = {
  name: 'home',
  method: 'GET',
  path: '/',
  headers: { Accept: 'text/html' },
  connections: 4,
  durationSeconds: 1,
  timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};
const run: MeasuredAs = { command: 'gunicorn app:app -w 2', warmupSeconds: 3, scenarios: [scenario], runner: { cpuModel: 'EPYC', cpus: 2, os: 'linux', arch: 'x64' } };

/** Every change that alters the numbers, as the rule must see it. */
const scenarioChanges: Array<[string, Partial<Scenario>]> = [
  ['method', { method: 'POST' }],
  ['path', { path: '/other' }],
  ['body', { body: '{}' }],
  ['expectStatus', { expectStatus: 201 }],
  ['connections', { connections: 8 }],
  ['durationSeconds', { durationSeconds: 2 }],
  ['timeoutSeconds', { timeoutSeconds: 5 }],
  ['headers', { headers: { Accept: 'application/json' } }],
];

describe('one comparability rule', () => {
  for (const [field, change] of scenarioChanges) {
    it(`${field}: the hash changes and the field check names it`, () => {
      const changed = { ...scenario, ...change };
      assert.notEqual(configHash({ ...run, scenarios: [changed] }), configHash(run));
      assert.equal(scenarioDifferences(changed, scenario).length, 1);
      assert.match(scenarioDifferences(changed, scenario)[0]!, new RegExp(`^${field}`));
      assert.match(scenarioMismatch(changed, scenario)!, new RegExp(`measured this scenario differently \\(${field}`));
    });
  }

  for (const [what, change, named] of [
    ['server command', { command: 'gunicorn app:app -w 4' }, /server command "gunicorn app:app -w 2" -> "gunicorn app:app -w 4"/],
    ['warmup', { warmupSeconds: 1 }, /warmup 3 s -> 1 s/],
  ] as const) {
    it(`${what}: the hash changes and the run check names it`, () => {
      const changed = { ...run, ...change };
      assert.notEqual(configHash(changed), configHash(run));
      assert.match(incomparableRun(changed, run)!, named);
    });
  }

  it('what does not change the numbers changes neither: thresholds, header case', () => {
    const same = { ...scenario, headers: { accept: 'text/html' }, thresholds: { ...scenario.thresholds, maxRpsDropPct: 1 } };
    assert.equal(configHash({ ...run, scenarios: [same] }), configHash(run));
    assert.deepEqual(scenarioDifferences(same, scenario), []);
    assert.equal(incomparableRun(run, { ...run }), undefined);
  });

  it('another machine is not comparable; fields a side does not know are not compared', () => {
    assert.deepEqual(runDifferences(run, { ...run, runner: { ...run.runner, cpus: 4 } }), ['core count 4 -> 2']);
    assert.deepEqual(runDifferences(run, { command: run.command }), []);
  });

  it('comparableRuns keeps the order and says what differs in the others', () => {
    const runs = [run, { ...run, warmupSeconds: 0 }, { ...run }];
    const r = comparableRuns(runs, run, (x) => x);
    assert.deepEqual(r.comparable, [runs[0], runs[2]]);
    assert.deepEqual(r.passedOver.map((p) => p.differences), [['warmup 0 s -> 3 s']]);
  });
});
