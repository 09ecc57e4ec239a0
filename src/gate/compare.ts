// Pure: candidate samples (+ baseline samples) -> per-scenario metric comparisons and verdicts.
import { memoryGrowthWarning, workerChangesMetric } from './breakage.js';
import { scenarioDifferences } from './comparability.js';
import { median, MIN_RUNS_FOR_RUN_NOISE, runToRunNoise, type RunToRunNoise } from '../stats/intervals.js';
import { combineVerdicts, judgeRelative, type Direction } from './verdict.js';
import { pooledPercentileMs, tailMetric, thinPerTrialTail } from './tailMetric.js';
import { withholdLatencyOnStarvation } from './starvation.js';
import { describeErrorKinds, errorKinds } from '../load/errorKinds.js';
import type { Comparison, BaselineInfo, MetricComparison, MetricName, Sample, Scenario, ScenarioComparison } from '../types.js';

/** In paired mode the base commit's samples carry this target name; the head's keep their own. */
export const BASE_TARGET = 'base';

/** Paired mode: one run's samples as the head's (candidate) and the base's (baseline, renamed to the head so rounds pair up). */
export function pairedSides(measured: Sample[], head: string): { candidate: Sample[]; baseline: Sample[] } {
  return {
    candidate: measured.filter((s) => s.target !== BASE_TARGET),
    baseline: measured.filter((s) => s.target === BASE_TARGET).map((s) => ({ ...s, target: head })),
  };
}

export interface CompareInput {
  scenarios: Scenario[];
  target: string;
  candidate: Sample[];
  /** Samples of the baseline run; undefined when there is none. */
  baseline?: Sample[];
  baselineInfo?: BaselineInfo;
  /** Why there is no baseline (shown in the report), when there is none. */
  noBaselineNote?: string;
  /** Scenarios of the baseline run, to refuse comparing with a differently defined one. */
  baselineScenarios?: Scenario[];
  /** Baseline and candidate were interleaved round by round in this run (compare-to: base). */
  paired?: boolean;
  /** Recorded runs comparable with this one (oldest first, the baseline run among them): how
   * far whole runs move widens a stored baseline's intervals (stats.runToRunNoise). */
  history?: Array<{ samples: Sample[]; scenarios?: Scenario[] }>;
  /** True when a missing baseline should make the verdict inconclusive (compare-to: stored). */
  baselineExpected: boolean;
  confidence: number;
  /** The confidence of the run-to-run widening, when it differs from `confidence`: a sequential
   * look spends its share on the trials' interval, while how far this whole run sits from the
   * recorded one is a single draw that looking again does not redraw (gate/sequential.ts). */
  runNoiseConfidence?: number;
}

interface MetricDef {
  metric: MetricName;
  label: string;
  direction: Direction;
  gating: boolean;
  value(s: Sample): number | undefined;
  threshold(sc: Scenario): number;
}

const MIB = 1024 * 1024;

/** A generator this busy may be what sets the pace, not the server. */
export const GENERATOR_BUSY_PCT = 90;
export const GENERATOR_LAG_MS = 50;

/** Pure: warnings about the load generator itself, from the candidate's trials. */
export function generatorWarnings(samples: Sample[]): string[] {
  if (samples.length === 0) return [];
  const cpu = median(samples.map((s) => s.generator.cpuPct));
  const lag = median(samples.map((s) => s.generator.eventLoopDelayP99Ms));
  const out: string[] = [];
  if (cpu >= GENERATOR_BUSY_PCT || lag >= GENERATOR_LAG_MS) {
    out.push(
      `The load generator was near saturation (${cpu.toFixed(0)}% of a CPU, timers up to ${lag.toFixed(0)} ms late): it, not the ` +
        'server, may have set the pace, so requests/s may read low. Use fewer connections, a lighter endpoint, or a runner with more CPUs.',
    );
  }
  return out;
}

/** A trial without a single response has no latency: it ranks as the slowest (stats ranks Infinity last). */
const latencyMs = (s: Sample, q: 'p50' | 'p99') => (s.requests > 0 ? s.latencyUs[q] / 1000 : Infinity);

export const RELATIVE_METRICS: MetricDef[] = [
  { metric: 'rps', label: 'Requests/s', direction: 'higher-is-better', gating: true, value: (s) => s.rps, threshold: (sc) => sc.thresholds.maxRpsDropPct },
  { metric: 'p99', label: 'p99 latency', direction: 'lower-is-better', gating: true, value: (s) => latencyMs(s, 'p99'), threshold: (sc) => sc.thresholds.maxP99IncreasePct },
  { metric: 'p50', label: 'p50 latency', direction: 'lower-is-better', gating: false, value: (s) => latencyMs(s, 'p50'), threshold: (sc) => sc.thresholds.maxP99IncreasePct },
  {
    metric: 'memory',
    label: 'Memory per worker',
    direction: 'lower-is-better',
    gating: true,
    value: (s) => (s.server ? s.server.rssBytesPerWorker / MIB : undefined),
    threshold: (sc) => sc.thresholds.maxMemoryIncreasePct,
  },
  {
    metric: 'cpuPerRequest',
    label: 'Server CPU per request',
    direction: 'lower-is-better',
    gating: false,
    value: (s) => (s.server && s.requests > 0 ? (s.server.cpuSeconds * 1000) / s.requests : undefined),
    threshold: (sc) => sc.thresholds.maxRpsDropPct,
  },
];

function values(samples: Sample[], def: MetricDef): number[] {
  return samples.map(def.value).filter((v): v is number => v !== undefined && !Number.isNaN(v));
}

function failedRequests(s: Sample): number {
  return s.errors.connection + s.errors.timeouts + Object.values(s.errors.badStatus).reduce((a, b) => a + b, 0);
}

/** Values of the rounds both sides have, in the same order. */
function alignedByRound(baseline: Sample[], candidate: Sample[], def: MetricDef): [number[], number[]] {
  const base = new Map(baseline.map((s) => [s.round, def.value(s)]));
  const pairs = candidate
    .map((s) => [base.get(s.round), def.value(s)] as const)
    .filter((p): p is readonly [number, number] => p[0] !== undefined && p[1] !== undefined && !Number.isNaN(p[0]) && !Number.isNaN(p[1]));
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}

/** Errors over attempts across all trials of one side. */
export function pooledErrorRatePct(samples: Sample[]): number {
  let failed = 0;
  let attempts = 0;
  for (const s of samples) {
    failed += failedRequests(s);
    attempts += failedRequests(s) + s.requests;
  }
  return attempts === 0 ? 100 : (failed / attempts) * 100;
}

function errorRateMetric(sc: Scenario, candidate: Sample[], baseline: Sample[] | undefined): MetricComparison {
  const rate = pooledErrorRatePct(candidate);
  const baselineRate = baseline?.length ? pooledErrorRatePct(baseline) : undefined;
  const limit = sc.thresholds.maxErrorRatePct;
  const over = rate > limit;
  const kinds = { candidate: errorKinds(candidate), baseline: baseline?.length ? errorKinds(baseline) : undefined };
  // What the failures were, so a percentage is never a mystery.
  const what = describeErrorKinds(kinds.candidate);
  const failures = what ? ` Failed requests: ${what}.` : '';
  // Nothing succeeded and nothing failed: every response was still unfinished.
  if (candidate.length && candidate.every((s) => s.requests + failedRequests(s) === 0)) {
    return {
      metric: 'errorRate',
      baseline: baselineRate,
      candidate: 100,
      thresholdPct: limit,
      verdict: 'regressed',
      gating: true,
      errorKinds: kinds,
      reason:
        'No response completed in any trial: the server took the requests but never finished a response. Typical causes: a ' +
        'body without Content-Length on a kept-alive connection (uWSGI --http11-socket), or requests slower than the trial.' + failures,
    };
  }
  return {
    metric: 'errorRate',
    baseline: baselineRate,
    candidate: rate,
    thresholdPct: limit,
    verdict: over ? 'regressed' : 'pass',
    gating: true,
    errorKinds: kinds,
    reason:
      (over ? `Error rate ${rate.toFixed(2)}% is above the ${limit}% limit (errors, timeouts and unexpected statuses).` : `Error rate ${rate.toFixed(2)}% is within the ${limit}% limit.`) +
      failures,
  };
}

/** Pure: how a baseline's scenario differs from this run's in ways that change the numbers (gate/comparability.ts). */
export function scenarioMismatch(current: Scenario, baseline: Scenario | undefined): string | undefined {
  const differ = baseline ? scenarioDifferences(current, baseline) : [];
  return differ.length ? `the baseline measured this scenario differently (${differ.join(', ')}), so it is not compared.` : undefined;
}

/** Run-to-run noise of one metric, from the medians of the recorded runs that measured this
 * scenario the same way. */
function historyNoise(input: CompareInput, sc: Scenario, def: MetricDef): RunToRunNoise | undefined {
  if (!input.history) return undefined;
  const medians = input.history
    .filter((run) => !scenarioMismatch(sc, run.scenarios?.find((b) => b.name === sc.name)))
    .map((run) => values(run.samples.filter((s) => s.scenario === sc.name && s.target === input.target && !s.failure), def))
    .filter((v) => v.length > 0)
    .map(median);
  return runToRunNoise(medians, input.runNoiseConfidence ?? input.confidence);
}

function compareScenario(input: CompareInput, sc: Scenario): ScenarioComparison {
  const mismatch = scenarioMismatch(sc, input.baselineScenarios?.find((b) => b.name === sc.name));
  if (mismatch) return { ...compareScenario({ ...input, baseline: undefined, baselineScenarios: undefined }, sc), warnings: [`Baseline: ${mismatch}`] };
  const all = (samples: Sample[]) => samples.filter((s) => s.scenario === sc.name && s.target === input.target);
  const usable = (samples: Sample[]) => all(samples).filter((s) => !s.failure);
  const excludedTrials = all(input.candidate)
    .filter((s) => s.failure)
    .map((s) => ({ round: s.round, reason: s.failure! }));
  const candidate = usable(input.candidate);
  const baseline = input.baseline ? usable(input.baseline) : undefined;
  // Errors count in every trial, even one whose figures are otherwise void.
  const errorRate = errorRateMetric(sc, all(input.candidate), input.baseline && all(input.baseline));
  // Workers that exited or started: one finding per scenario (gate/breakage.ts).
  const workers = workerChangesMetric({ candidate: all(input.candidate), baseline: input.baseline && all(input.baseline) });
  const workerLogs = workers?.logs.length ? workers.logs : undefined;
  if (candidate.length === 0) {
    const metrics = workers ? [errorRate, workers.metric] : [errorRate];
    return { scenario: sc.name, target: input.target, metrics, verdict: combineVerdicts([...metrics.map((m) => m.verdict), 'inconclusive']), excludedTrials, warnings: [], workerLogs };
  }
  const metrics: MetricComparison[] = [];
  // Against a stored baseline, how far recorded runs moved (once per metric).
  const runNoise = new Map(input.paired ? [] : RELATIVE_METRICS.map((def) => [def.metric, historyNoise(input, sc, def)]));
  for (const def of RELATIVE_METRICS) {
    let cand = values(candidate, def);
    if (cand.length === 0) continue;
    let base = baseline ? values(baseline, def) : [];
    if (input.paired && baseline) [base, cand] = alignedByRound(baseline, candidate, def);
    const threshold = def.threshold(sc);
    // p99 from the pooled histograms of all rounds, not a median of per-trial p99s.
    const tail =
      def.metric === 'p99' && baseline?.length
        ? tailMetric({ label: def.label, percentile: 99, baseline, candidate, paired: input.paired === true, thresholdPct: threshold, confidence: input.confidence, runNoise: runNoise.get('p99') })
        : undefined;
    if (tail) {
      metrics.push(tail);
      continue;
    }
    if (base.length === 0) {
      metrics.push({
        metric: def.metric,
        candidate: (def.metric === 'p99' ? pooledPercentileMs(candidate, 99) : undefined) ?? median(cand),
        verdict: input.baselineExpected && def.gating ? 'inconclusive' : 'pass',
        gating: def.gating,
        thresholdPct: threshold,
        reason: `${def.label}: no baseline to compare with.`,
      });
      continue;
    }
    const j = judgeRelative({
      label: def.label,
      baseline: base,
      candidate: cand,
      direction: def.direction,
      thresholdPct: threshold,
      confidence: input.confidence,
      paired: input.paired,
      runNoise: runNoise.get(def.metric),
    });
    // p99 without histograms: a median of per-trial figures, each of which needs its own requests.
    const thin = def.metric === 'p99' && baseline ? thinPerTrialTail(baseline, candidate, 99, input.confidence) : undefined;
    metrics.push({
      metric: def.metric,
      baseline: median(base),
      candidate: median(cand),
      changePct: j.changePct,
      ciLowPct: j.ciLowPct,
      ciHighPct: j.ciHighPct,
      detectablePct: j.detectablePct,
      thresholdPct: threshold,
      verdict: !def.gating ? 'pass' : thin ? 'inconclusive' : j.verdict,
      gating: def.gating,
      ...(def.gating && !thin && j.onlyPairedDecides ? { onlyPairedDecides: true } : {}),
      reason: thin ? `${def.label} ${j.changePct === undefined ? '' : `${j.changePct >= 0 ? '+' : ''}${j.changePct.toFixed(1)}% `}is not judged: ${thin}.` : j.reason,
    });
  }
  metrics.push(errorRate);
  if (workers) metrics.push(workers.metric);
  // Latency from trials that left connections waiting decides nothing (gate/starvation.ts).
  const starvation = withholdLatencyOnStarvation({ metrics, candidate, baseline, candidateName: 'The head', baselineName: 'The baseline' });
  const warnings = [...starvation.warnings, ...generatorWarnings(candidate)];
  const growth = memoryGrowthWarning(sc, candidate, baseline);
  if (growth) warnings.push(growth);
  if (input.history && !input.paired && baseline?.length && !runNoise.get('rps')) {
    warnings.push(
      `Fewer than ${MIN_RUNS_FOR_RUN_NOISE} recorded runs measured this scenario, so how much whole runs move on this runner is not known ` +
        'yet and the intervals cover the trials of one run only; a regression is still measured twice before it fails (confirm).',
    );
  }
  return {
    scenario: sc.name,
    target: input.target,
    metrics: starvation.metrics,
    verdict: combineVerdicts(starvation.metrics.filter((m) => m.gating).map((m) => m.verdict)),
    excludedTrials,
    warnings,
    workerLogs,
  };
}

export function compare(input: CompareInput): Comparison {
  const scenarios = input.scenarios.map((sc) => compareScenario(input, sc));
  return {
    baseline: input.baselineInfo,
    note: input.baseline ? undefined : input.noBaselineNote,
    scenarios,
    verdict: combineVerdicts(scenarios.map((s) => s.verdict)),
  };
}
