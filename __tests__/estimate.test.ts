// The start-of-run estimate: scenarios x targets x (warmup + rounds x duration), doubled when a
// regression is confirmed, and a warning only when it exceeds the job's timeout-minutes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMeasuring, estimateMessages, formatDuration } from '../src/plan/estimate.js';

describe('estimateMeasuring', () => {
  it('counts every target, scenario, warmup and round', () => {
    // 2 targets x [(3 + 5 x 10) + (3 + 5 x 2)] = 2 x 66
    const e = estimateMeasuring({ targets: 2, scenarios: [{ durationSeconds: 10 }, { durationSeconds: 2 }], warmupSeconds: 3, rounds: 5, confirms: false });
    assert.deepEqual(e, { seconds: 132, worstSeconds: 132 });
    assert.equal(estimateMeasuring({ targets: 1, scenarios: [{ durationSeconds: 10 }], warmupSeconds: 3, rounds: 5, confirms: true }).worstSeconds, 106);
  });

  it('warns only past timeout-minutes, and says what to change', () => {
    const est = { seconds: 300, worstSeconds: 600 };
    assert.equal(estimateMessages(est, undefined).warning, undefined);
    assert.equal(estimateMessages(est, 10).warning, undefined, 'exactly 10 min fits');
    assert.match(estimateMessages(est, 9).warning!, /may take 10 min, more than timeout-minutes: 9: raise .* or lower rounds/);
    assert.equal(estimateMessages(est, 9).info, 'Estimated measuring time: 5 min (10 min if a regression is found and measured again to confirm it); booting the servers comes on top.');
  });

  it('formats durations', () => {
    assert.deepEqual([formatDuration(0.4), formatDuration(59), formatDuration(200), formatDuration(3720)], ['0 s', '59 s', '3 min 20 s', '1 h 2 min']);
  });
});
