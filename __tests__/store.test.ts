import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendRun, KEEP_RUNS, latestRun, readBaselineFile } from '../src/store/baselineFile.js';
import { ConfigError } from '../src/errors.js';
import type { RunResult } from '../src/types.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'perf-gate-store-'));
function runResult(commit: string): RunResult {
  return {
    schemaVersion: 1,
    meta: { commit, createdAt: new Date().toISOString(), tool: { name: 'wsgi-perf-gate', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', node: '20' } },
    settings: { rounds: 1, warmupSeconds: 0, confidence: 0.99, targets: [], scenarios: [], cpuPlacement: 'off' },
    samples: [
      {
        round: 1, target: 'app', scenario: '/', startedAt: '', elapsedSeconds: 1, requests: 10, rps: 10,
        latencyUs: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, mean: 1 }, histogram: '', errors: { connection: 0, timeouts: 0, badStatus: {} },
        errorRatePct: 0, bytes: 0, generator: { cpuPct: 1, eventLoopDelayP99Ms: 1 },
      },
    ],
    comparison: { scenarios: [], verdict: 'pass' },
    verdict: 'pass',
  };
}

describe('baseline file', () => {
  it('does not exist yet: undefined', () => {
    assert.equal(readBaselineFile(path.join(dir(), 'none.json')), undefined);
  });

  it('append, read back, keep the newest runs only, and leave no temp file', () => {
    const d = dir();
    const file = path.join(d, 'sub', 'baseline.json');
    appendRun(file, undefined, runResult('c0'));
    for (let i = 1; i < KEEP_RUNS + 3; i++) appendRun(file, readBaselineFile(file), runResult(`c${i}`));
    const back = readBaselineFile(file)!;
    assert.equal(back.runs.length, KEEP_RUNS);
    assert.equal(latestRun(back)!.meta.commit, `c${KEEP_RUNS + 2}`);
    assert.equal(back.runs[0]!.meta.commit, 'c3');
    assert.deepEqual(readdirSync(path.dirname(file)), ['baseline.json']);
  });

  const refuse: Array<[string, string, RegExp]> = [
    ['not JSON', '{"runs": [', /it is not valid JSON/],
    ['not ours', '{"hello": 1}', /schemaVersion: /],
    ['a sample without rps', JSON.stringify({ schemaVersion: 1, kind: 'wsgi-perf-gate/baseline', runs: [{ meta: { createdAt: 'x' }, samples: [{ round: 1 }] }] }), /runs\.0\.samples\.0\./],
    ['a newer schema', JSON.stringify({ schemaVersion: 99, kind: 'wsgi-perf-gate/baseline', runs: [] }), /schemaVersion 99, newer than this version of the action understands \(1\); upgrade the action/],
  ];
  for (const [name, text, message] of refuse) {
    it(`refuses ${name}, naming the input and leaving the file as it was`, () => {
      const file = path.join(dir(), 'b.json');
      writeFileSync(file, text);
      assert.throws(() => readBaselineFile(file), (e: unknown) => e instanceof ConfigError && /^Input `baseline-file` is ".*b\.json": /.test(e.message) && message.test(e.message));
      assert.equal(readFileSync(file, 'utf8'), text);
    });
  }
});
