// Pure renderer: the trend of requests/s, p99 and instructions per request over the last
// recorded commits (and this run) as Mermaid `xychart-beta` line charts, which GitHub renders in
// summaries and comments. A change point found by the watch over main marks its commit's label.
import { escapeText } from './markdown.js';
import type { TrendPoint } from '../types.js';

/** Where the watch found a change: the first commit after it, per scenario and series. */
export interface TrendMark {
  scenario: string;
  series: string;
  commit: string;
}

/** Prefix of a label at a change point (xychart-beta has no annotations; a label can carry one). */
export const CHANGE_MARK = '⚑';

/** Scenarios charted at most (each gets two charts). */
export const TREND_SCENARIOS = 3;

/** Text inside a Mermaid quoted string: no quotes, backticks, markup or line breaks. */
function mermaidText(s: string): string {
  return s.replace(/["`<>\\\r\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
}

function label(p: TrendPoint): string {
  if (p.current) return 'this run';
  // Commits are hex; anything else is reduced to safe characters.
  return p.commit.replace(/[^0-9a-zA-Z]/g, '').slice(0, 7) || '?';
}

function markedLabels(points: TrendPoint[], marks: TrendMark[], scenario: string, series: string): string[] {
  const at = new Set(marks.filter((m) => m.scenario === scenario && m.series === series).map((m) => m.commit));
  return points.map((p) => (at.has(p.commit) ? `${CHANGE_MARK} ${label(p)}` : label(p)));
}

function round(v: number): string {
  return String(v >= 100 ? Math.round(v) : Math.round(v * 100) / 100);
}

function chart(title: string, yLabel: string, labels: string[], values: number[]): string {
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidText(title)}"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "${yLabel}"`,
    `  line [${values.map(round).join(', ')}]`,
    '```',
  ].join('\n');
}

/** A `<details>` block with the trend charts, or '' when there is nothing to draw (fewer than two points). */
export function renderTrend(points: TrendPoint[], scenarios: string[], marks: TrendMark[] = []): string {
  if (points.length < 2) return '';
  const out: string[] = [];
  for (const scenario of scenarios.slice(0, TREND_SCENARIOS)) {
    const withData = points.filter((p) => {
      const f = p.scenarios[scenario];
      return f && Number.isFinite(f.rps) && Number.isFinite(f.p99Ms);
    });
    if (withData.length < 2) continue;
    const counted = withData.filter((p) => Number.isFinite(p.scenarios[scenario]!.instructionsPerRequest));
    const instructions =
      counted.length >= 2
        ? [chart(`Instructions per request, ${scenario}`, 'million instructions', markedLabels(counted, marks, scenario, 'instructionsPerRequest'), counted.map((p) => p.scenarios[scenario]!.instructionsPerRequest! / 1e6)), '']
        : [];
    const withQueries = withData.filter((p) => Number.isFinite(p.scenarios[scenario]!.queriesPerRequest));
    const queries =
      withQueries.length >= 2
        ? [chart(`Queries per request, ${scenario}`, 'queries', withQueries.map(label), withQueries.map((p) => p.scenarios[scenario]!.queriesPerRequest!)), '']
        : [];
    out.push(
      chart(`Requests/s, ${scenario}`, 'requests/s', markedLabels(withData, marks, scenario, 'rps'), withData.map((p) => p.scenarios[scenario]!.rps)),
      '',
      chart(`p99 latency, ${scenario}`, 'p99 (ms)', markedLabels(withData, marks, scenario, 'p99Ms'), withData.map((p) => p.scenarios[scenario]!.p99Ms)),
      '',
      ...instructions,
      ...queries,
    );
  }
  if (!out.length) return '';
  const recorded = points.filter((p) => !p.current).length;
  const more = scenarios.length > TREND_SCENARIOS ? ` (first ${TREND_SCENARIOS} of ${scenarios.length} scenarios; the dashboard on the data branch has all)` : '';
  return [
    `<details><summary>Trend: the last ${recorded} recorded commit(s) on this runner${points.some((p) => p.current) ? ' and this run' : ''}${escapeText(more)}</summary>`,
    '',
    ...out,
    `Medians per run; the same runner fingerprint and scenario definitions throughout.${marks.length ? ` ${CHANGE_MARK} marks the first commit after a change point.` : ''}`,
    '',
    '</details>',
    '',
  ].join('\n');
}
