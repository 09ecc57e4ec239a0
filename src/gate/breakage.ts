// Pure: what breaks counts against the head. Workers that exit, are recycled or appear during
// a trial are a finding, reported once per scenario with how many, on which side and when; the
// trials still count (their cut requests are errors, their throughput is what the server did).
// A head that changes workers makes the verdict at least `inconclusive`; one that does so in
// several trials while the baseline never does is `regressed`. Memory that grows over the run
// on the head and not on the base is reported too.
import { median } from '../stats/intervals.js';
import type { MetricComparison, Sample, Scenario, ScenarioComparison } from '../types.js';

/** Trials with a worker change on the head, with none on the baseline, that make a regression. */
export const REPEATED_TRIALS = 2;

export interface SideChanges {
  /** Trials of this side in this scenario. */
  trials: number;
  /** Trials during which a worker exited or started. */
  changedTrials: number;
  exited: number;
  started: number;
  /** Legacy records only say that something changed, not how much. */
  uncounted: number;
  firstRound?: number;
  lastRound?: number;
  firstAt?: string;
  logTail?: { round: number; tail: string };
}

/** Pure: worker changes of one side's trials (already filtered to one scenario and target). */
export function sideChanges(samples: Sample[]): SideChanges {
  const out: SideChanges = { trials: samples.length, changedTrials: 0, exited: 0, started: 0, uncounted: 0 };
  const ordered = [...samples].sort((a, b) => a.round - b.round);
  for (const s of ordered) {
    if (!s.processChange && !s.failure) continue;
    out.changedTrials++;
    if (s.processChange) {
      out.exited += s.processChange.exited;
      out.started += s.processChange.started;
      if (s.processChange.logTail && !out.logTail) out.logTail = { round: s.round, tail: s.processChange.logTail };
    } else {
      out.uncounted++;
    }
    out.firstRound ??= s.round;
    out.firstAt ??= s.startedAt;
    out.lastRound = s.round;
  }
  return out;
}

function describeSide(c: SideChanges, side: string): string {
  const counts = c.uncounted === c.changedTrials ? 'workers changed' : `${c.exited} worker(s) exited and ${c.started} started`;
  const when = c.firstRound === c.lastRound ? `round ${c.firstRound}` : `rounds ${c.firstRound} to ${c.lastRound}`;
  return `${side}: ${counts} in ${c.changedTrials} of ${c.trials} trials (${when}, first at ${c.firstAt ?? '?'})`;
}

export interface BreakageInput {
  candidate: Sample[];
  /** Undefined when there is no baseline to compare with. */
  baseline?: Sample[];
}

/**
 * Pure: the one "Worker exits/starts" metric of a scenario, or undefined when no worker changed
 * on either side. Its values are the trials with a change on each side.
 */
export function workerChangesMetric(input: BreakageInput): { metric: MetricComparison; logs: NonNullable<ScenarioComparison['workerLogs']> } | undefined {
  const head = sideChanges(input.candidate);
  const base = input.baseline ? sideChanges(input.baseline) : undefined;
  if (head.changedTrials === 0 && !base?.changedTrials) return undefined;
  const logs: NonNullable<ScenarioComparison['workerLogs']> = [];
  if (head.logTail) logs.push({ side: 'candidate', ...head.logTail });
  if (base?.logTail) logs.push({ side: 'baseline', ...base.logTail });
  const metric = (verdict: MetricComparison['verdict'], reason: string): MetricComparison => ({
    metric: 'workerChanges',
    baseline: base?.changedTrials,
    candidate: head.changedTrials,
    verdict,
    gating: true,
    reason,
  });
  const cause = 'a worker that crashed, called exit, was killed (e.g. out of memory or a timeout) or was recycled (--max-requests)';
  if (head.changedTrials === 0) {
    return { metric: metric('pass', `Worker exits/starts: none on the head; ${describeSide(base!, 'the baseline')}.`), logs };
  }
  const headText = describeSide(head, 'the head');
  if (base && base.changedTrials === 0 && head.changedTrials >= REPEATED_TRIALS) {
    return {
      metric: metric(
        'regressed',
        `Worker exits/starts: ${headText}; none in ${base.trials} baseline trials. Only the head loses workers under load: ${cause}. ` +
          'The requests those workers were serving count as errors.',
      ),
      logs,
    };
  }
  const why = !base
    ? 'there is no baseline to tell whether this setup always does it'
    : base.changedTrials > 0
      ? `the baseline does it too (${describeSide(base, 'baseline').replace(/^baseline: /, '')}), so both sides measured a server that changed under load`
      : `it happened in a single trial only (none in ${base.trials} baseline trials)`;
  return { metric: metric('inconclusive', `Worker exits/starts: ${headText}: ${cause}; ${why}.`), logs };
}

/** Fewest trials per side for a growth estimate (thirds of at least two trials). */
export const MIN_TRIALS_FOR_GROWTH = 6;

/** Pure: how much a side's per-worker memory grew from its first third of trials to its last, in percent. */
export function memoryGrowthPct(samples: Sample[]): number | undefined {
  const rss = [...samples]
    .sort((a, b) => a.round - b.round)
    .map((s) => s.server?.rssBytesPerWorker)
    .filter((v): v is number => v !== undefined && v > 0);
  if (rss.length < MIN_TRIALS_FOR_GROWTH) return undefined;
  const third = Math.floor(rss.length / 3);
  const first = median(rss.slice(0, third));
  const last = median(rss.slice(-third));
  return (last / first - 1) * 100;
}

/**
 * Pure: a warning when the head's memory per worker grows over the run by more than the memory
 * threshold and the baseline's grows by less than half that (or there is no baseline). A leak
 * often shows as growth before it shows as a level.
 */
export function memoryGrowthWarning(sc: Scenario, candidate: Sample[], baseline: Sample[] | undefined): string | undefined {
  const head = memoryGrowthPct(candidate);
  if (head === undefined || head <= sc.thresholds.maxMemoryIncreasePct) return undefined;
  const base = baseline ? memoryGrowthPct(baseline) : undefined;
  if (base !== undefined && base >= head / 2) return undefined;
  const against = base === undefined ? (baseline ? 'the baseline has too few trials with memory figures to compare' : 'there is no baseline') : `the baseline grew ${base.toFixed(1)}%`;
  return (
    `Memory per worker on the head grew ${head.toFixed(1)}% from its first third of trials to its last (${against}): ` +
    'a leak or an unbounded cache grows with every request.'
  );
}
