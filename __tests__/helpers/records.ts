// Run results with known figures for the history tests (the store only carries them; the
// figures are what the trend, index and dashboard must show back).
import type { RunResult, Sample, Scenario } from '../../src/types.js';
import { newRecord, type HistoryRecord } from '../../src/store/record.js';
import type { Fingerprint } from '../../src/store/fingerprint.js';

export const FINGERPRINT: Fingerprint = { cpuModel: 'Test CPU 3000', cpus: 2, os: 'linux', arch: 'x64', python: '3.11.2', server: 'gunicorn (version 20.1.0)' };
export const CONFIG = 'c0ffee00c0ff';

export const SCENARIO: Scenario = {
  name: 'home', method: 'GET', path: '/', headers: {}, connections: 2, durationSeconds: 1, timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};

function sample(round: number, rps: number, p99Ms: number): Sample {
  return {
    round, target: 'app', scenario: 'home', startedAt: '2026-01-01T00:00:00.000Z', elapsedSeconds: 1, requests: Math.round(rps), rps,
    latencyUs: { p50: p99Ms * 500, p90: p99Ms * 800, p99: p99Ms * 1000, p999: p99Ms * 1100, max: p99Ms * 1200, mean: p99Ms * 500 },
    histogram: '', errors: { connection: 0, timeouts: 0, badStatus: {} }, errorRatePct: 0, bytes: 0,
    generator: { cpuPct: 10, eventLoopDelayP99Ms: 1 },
  };
}

/** A run at `commit` whose three trials have median `rps` and median p99 `p99Ms`. */
export function runAt(commit: string, rps: number, p99Ms: number, createdAt = new Date().toISOString()): RunResult {
  return {
    schemaVersion: 1,
    meta: { commit, ref: 'refs/heads/main', eventName: 'push', createdAt, tool: { name: 'wsgi-perf-gate', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU 3000', node: '20' } },
    settings: { rounds: 3, warmupSeconds: 0, confidence: 0.99, targets: [{ name: 'app', command: 'gunicorn app:app', url: 'http://127.0.0.1:$PORT' }], scenarios: [SCENARIO], cpuPlacement: 'off' },
    samples: [sample(1, rps * 0.9, p99Ms * 0.9), sample(2, rps, p99Ms), sample(3, rps * 1.1, p99Ms * 1.1)],
    comparison: { scenarios: [], verdict: 'inconclusive' },
    verdict: 'inconclusive',
  };
}

export function recordAt(commit: string, rps: number, p99Ms: number, opts: { fingerprint?: Fingerprint; config?: string; createdAt?: string } = {}): HistoryRecord {
  return newRecord(runAt(commit, rps, p99Ms, opts.createdAt), opts.fingerprint ?? FINGERPRINT, opts.config ?? CONFIG);
}
