// One rule for every gate: fail-on-regression true fails the step on a performance or a
// hardening regression; false turns both into warnings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stepOutcome } from '../src/action/stepOutcome.js';
import type { HardeningReport } from '../src/hardening/types.js';
import type { RunResult } from '../src/types.js';
import { runAt } from './helpers/records.js';

const hardening: HardeningReport = {
  mode: 'gate',
  targets: [],
  regressions: [{ target: 'app', id: 'slow-clients', evidence: 'A normal request starved.' }],
  failed: true,
};
const passed = runAt('abc', 1000, 5);
const regressed: RunResult = { ...passed, verdict: 'regressed' };

describe('stepOutcome', () => {
  it('nothing regressed: nothing fails, nothing warns', () => {
    assert.deepEqual(stepOutcome(passed, true), { failures: [], warnings: [] });
  });
  it('fail-on-regression true: a performance and a hardening regression each fail the step', () => {
    const o = stepOutcome({ ...regressed, hardening }, true);
    assert.equal(o.failures.length, 2);
    assert.match(o.failures[0]!, /^Performance regressed/);
    assert.match(o.failures[1]!, /^Hardening: 1 check\(s\).*slow-clients/);
    assert.deepEqual(o.warnings, []);
  });
  it('fail-on-regression false: both are warnings, the step passes', () => {
    assert.deepEqual(stepOutcome({ ...passed, hardening }, false).failures, []);
    const o = stepOutcome({ ...regressed, hardening }, false);
    assert.deepEqual(o.failures, []);
    assert.equal(o.warnings.length, 2);
    for (const w of o.warnings) assert.match(w, /\(fail-on-regression is false\)$/);
  });
  it('a hardening report that only reports never fails', () => {
    assert.deepEqual(stepOutcome({ ...passed, hardening: { ...hardening, mode: 'report', failed: false } }, true).failures, []);
  });
});
