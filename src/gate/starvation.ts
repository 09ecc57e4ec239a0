// Pure: a scenario's latency verdicts stand only on trials that served every connection.
// A trial in which the server left connections waiting (load/connectionFairness.ts) measured
// the latency of the connections it chose to serve: the rows of p50 and p99 then say why they
// do not decide, and the report says which side left how many connections waiting.
import { STARVED_SHARE_FRACTION, unevenService, type UnevenService } from '../load/connectionFairness.js';
import type { MetricComparison, Sample } from '../types.js';

export interface StarvationInput {
  metrics: MetricComparison[];
  candidate: Sample[];
  baseline?: Sample[];
  /** What the sides are called in the report (paired mode: "the head", "the base"). */
  candidateName?: string;
  baselineName?: string;
}

const LATENCY_METRICS = new Set<MetricComparison['metric']>(['p50', 'p99']);

const seconds = (s: number) => `${Number(s.toFixed(2))} s`;

/** One line for a side whose trials served connections unevenly; undefined when none did. */
export function starvationLine(side: string, samples: Sample[]): string | undefined {
  const uneven = samples.map((s) => ({ sample: s, found: unevenService(s.responsesPerConnection) })).filter((u): u is { sample: Sample; found: UnevenService } => !!u.found);
  if (uneven.length === 0) return undefined;
  // The worst trial speaks for the side: the most connections left waiting.
  const { sample, found } = uneven.reduce((a, b) => (b.found.starved > a.found.starved ? b : a));
  const got = found.none === found.starved ? 'got no response' : `got no response or under ${Math.round(100 * STARVED_SHARE_FRACTION)}% of an even share`;
  return (
    `${side}: ${found.starved} of ${found.connections} connections ${got} in ${seconds(sample.elapsedSeconds)} ` +
    `(${uneven.length} of ${samples.length} trials served connections unevenly): the server serves connections unevenly; ` +
    'latency figures cover only the served ones, so they decide nothing here.'
  );
}

/**
 * The metrics with every latency row turned into "does not decide" when a trial of either side
 * served its connections unevenly, and the lines that say so; the input unchanged otherwise.
 */
export function withholdLatencyOnStarvation(input: StarvationInput): { metrics: MetricComparison[]; warnings: string[] } {
  const warnings = [
    starvationLine(input.candidateName ?? 'The candidate', input.candidate),
    input.baseline ? starvationLine(input.baselineName ?? 'The baseline', input.baseline) : undefined,
  ].filter((w): w is string => !!w);
  if (warnings.length === 0) return { metrics: input.metrics, warnings };
  const metrics = input.metrics.map((m): MetricComparison => {
    if (!LATENCY_METRICS.has(m.metric)) return m;
    const label = m.metric === 'p99' ? 'p99 latency' : 'p50 latency';
    return {
      ...m,
      verdict: m.gating ? 'inconclusive' : m.verdict,
      reason: `${label} does not decide: the server left connections without a response in some trials (see the note above the table), so the figures cover only the connections it served.`,
    };
  });
  return { metrics, warnings };
}
