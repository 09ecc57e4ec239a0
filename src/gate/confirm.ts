// Pure: the confirmation run before failing. On a shared runner one measurement can be off by
// more than a threshold (a noisy neighbour for a minute, an unlucky boot), so a regression
// found once is measured again with fresh servers and stands only when the second measurement
// finds it too. A regression that does not repeat becomes `inconclusive`, never `pass`: one
// run did see it. Error rates and worker exits are not re-judged: they happened, they are facts, not estimates.
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

/** The first comparison with every regression checked against the second's. */
export function confirmComparison(first: Comparison, second: Comparison): Comparison {
  const scenarios: ScenarioComparison[] = first.scenarios.map((sc) => {
    const again = second.scenarios.find((s) => s.scenario === sc.scenario && s.target === sc.target);
    const metrics = sc.metrics.map((m) => confirmMetric(m, again?.metrics.find((x) => x.metric === m.metric)));
    return { ...sc, metrics, verdict: combineVerdicts(metrics.filter((m) => m.gating).map((m) => m.verdict)) };
  });
  return { ...first, scenarios, verdict: combineVerdicts(scenarios.map((s) => s.verdict)), confirmation: { verdict: second.verdict } };
}
