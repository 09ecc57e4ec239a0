// Pure: the step outputs action.yml declares, computed from a result.
import type { RunResult } from '../types.js';

export function gateOutputs(result: RunResult, resultsFile: string, comment: { url?: string; savedFile?: string } = {}): Record<string, string> {
  const first = result.comparison.scenarios[0];
  const metric = (name: string) => first?.metrics.find((m) => m.metric === name);
  const num = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
  return {
    verdict: result.verdict,
    'results-file': resultsFile,
    rps: num(metric('rps')?.candidate, 1),
    'p99-ms': num(metric('p99')?.candidate, 3),
    'rps-change-pct': num(metric('rps')?.changePct, 2),
    'p99-change-pct': num(metric('p99')?.changePct, 2),
    'instructions-change-pct': num(result.instructions?.comparisons[0]?.changePct, 3),
    'queries-per-request': num(result.queries?.comparisons[0]?.candidate, 2),
    'queries-change': num(result.queries?.comparisons[0]?.change, 2),
    'comment-url': comment.url ?? '',
    'comment-file': comment.savedFile ?? '',
  };
}

/** The one-line reason a failed step shows. */
export function failureMessage(result: RunResult): string {
  const parts = result.comparison.scenarios.flatMap((s) =>
    s.metrics.filter((m) => m.gating && m.verdict === 'regressed').map((m) => `${s.scenario}: ${m.reason}`),
  );
  for (const c of result.instructions?.comparisons ?? []) if (c.verdict === 'regressed') parts.push(`${c.scenario} (instructions per request): ${c.reason}`);
  for (const c of result.queries?.comparisons ?? []) if (c.verdict === 'regressed') parts.push(`${c.scenario} (queries per request): ${c.reason}`);
  return `Performance regressed. ${parts.join(' ')}`;
}
