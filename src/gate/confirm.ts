// Pure: the confirmation run before failing. On a shared runner one measurement can be off by
// more than a threshold (a noisy neighbour for a minute, an unlucky boot), so a regression
// found once is measured again with fresh servers and stands only when the second measurement
// finds it too. A regression that does not repeat becomes `inconclusive`, never `pass`: one
// run did see it. Error rates and worker exits are not re-judged: they happened, they are facts, not estimates.
//
// The second measurement must be independent of the first on both sides. Paired mode boots the
// base again beside the head. Against stored history it is judged against another comparable
// recorded run. With only one recorded run there is nothing independent to judge against (the
// same run again would let one lucky baseline run fail a pull request twice), so nothing is
// measured again and the regression stands as measured once, and the report says so: turning it
// into `inconclusive` would make a stored gate unable to fail until a second run is recorded.
import { combineVerdicts } from './verdict.js';
import type { Comparison, MetricComparison, ScenarioComparison } from '../types.js';

const isEstimate = (m: MetricComparison) => m.gating && m.metric !== 'errorRate' && m.metric !== 'workerChanges';

/** Whether a comparison asks for a confirmation run: an estimated metric regressed. */
export function needsConfirmation(c: Comparison): boolean {
  return c.scenarios.some((sc) => sc.metrics.some((m) => isEstimate(m) && m.verdict === 'regressed'));
}

function confirmMetric(m: MetricComparison, again: MetricComparison | undefined): MetricComparison {
  if (!isEstimate(m) || m.verdict !== 'regressed') return m;
  const confirmation = again
    ? { verdict: again.verdict, changePct: again.changePct, ciLowPct: again.ciLowPct, ciHighPct: again.ciHighPct, reason: again.reason }
    : { verdict: 'inconclusive' as const, reason: 'the confirmation run has no figure for it.' };
  if (confirmation.verdict === 'regressed') {
    return { ...m, confirmation, reason: `${m.reason} Confirmed by a second measurement with fresh servers: ${confirmation.reason}` };
  }
  return {
    ...m,
    verdict: 'inconclusive',
    confirmation,
    reason:
      `${m.reason} Not confirmed: a second measurement with fresh servers found ${confirmation.reason.replace(/^[A-Z]/, (c) => c.toLowerCase())} ` +
      'A change that one run sees and the next does not is within this runner\'s noise.',
  };
}

/** What the second measurement is judged against. */
export type ConfirmationBaseline<T> = { kind: 'paired'; against: string } | { kind: 'other-run'; run: T; against: string } | { kind: 'none'; reason: string };

/** Pure: the baseline that makes a confirmation independent; `others` are comparable recorded runs other than the first baseline, oldest first. */
export function confirmationBaseline<T>(input: { paired: boolean; others: Array<{ run: T; label: string }> }): ConfirmationBaseline<T> {
  if (input.paired) return { kind: 'paired', against: 'the base commit, booted again beside the head' };
  const other = input.others.at(-1);
  if (other) return { kind: 'other-run', run: other.run, against: `another recorded run, ${other.label}` };
  return {
    kind: 'none',
    reason:
      'only one comparable run is recorded, so a second measurement could only be judged against the same baseline run, and one lucky ' +
      'baseline run would fail the pull request twice; record more runs (pushes to the default branch) or use compare-to: base',
  };
}

/** The first comparison when no independent confirmation is possible: its verdicts stand, each
 * estimated regression says that it was measured once. */
export function withoutConfirmation(first: Comparison, reason: string): Comparison {
  const scenarios: ScenarioComparison[] = first.scenarios.map((sc) => ({
    ...sc,
    metrics: sc.metrics.map((m) => (isEstimate(m) && m.verdict === 'regressed' ? { ...m, reason: `${m.reason} Measured once, not confirmed: ${reason}.` } : m)),
  }));
  return { ...first, scenarios, confirmation: { verdict: first.verdict, against: `nothing independent: ${reason}` } };
}

/** The first comparison with every regression checked against the second's. */
export function confirmComparison(first: Comparison, second: Comparison, against?: string): Comparison {
  const scenarios: ScenarioComparison[] = first.scenarios.map((sc) => {
    const again = second.scenarios.find((s) => s.scenario === sc.scenario && s.target === sc.target);
    const metrics = sc.metrics.map((m) => confirmMetric(m, again?.metrics.find((x) => x.metric === m.metric)));
    return { ...sc, metrics, verdict: combineVerdicts(metrics.filter((m) => m.gating).map((m) => m.verdict)) };
  });
  return { ...first, scenarios, verdict: combineVerdicts(scenarios.map((s) => s.verdict)), confirmation: against ? { verdict: second.verdict, against } : { verdict: second.verdict } };
}
