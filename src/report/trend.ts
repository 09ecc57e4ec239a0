// Pure renderer: the trend of requests/s and p99 over the last recorded commits (and this run)
// as Mermaid `xychart-beta` line charts, which GitHub renders in summaries and comments.
import { escapeText } from './markdown.js';
import type { TrendPoint } from '../types.js';

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
export function renderTrend(points: TrendPoint[], scenarios: string[]): string {
  if (points.length < 2) return '';
  const out: string[] = [];
  for (const scenario of scenarios.slice(0, TREND_SCENARIOS)) {
    const withData = points.filter((p) => {
      const f = p.scenarios[scenario];
      return f && Number.isFinite(f.rps) && Number.isFinite(f.p99Ms);
    });
    if (withData.length < 2) continue;
    const labels = withData.map(label);
    const counted = withData.filter((p) => Number.isFinite(p.scenarios[scenario]!.instructionsPerRequest));
    const instructions =
      counted.length >= 2
        ? [chart(`Instructions per request, ${scenario}`, 'million instructions', counted.map(label), counted.map((p) => p.scenarios[scenario]!.instructionsPerRequest! / 1e6)), '']
        : [];
    const withQueries = withData.filter((p) => Number.isFinite(p.scenarios[scenario]!.queriesPerRequest));
    const queries =
      withQueries.length >= 2
        ? [chart(`Queries per request, ${scenario}`, 'queries', withQueries.map(label), withQueries.map((p) => p.scenarios[scenario]!.queriesPerRequest!)), '']
        : [];
    out.push(
      chart(`Requests/s, ${scenario}`, 'requests/s', labels, withData.map((p) => p.scenarios[scenario]!.rps)),
      '',
      chart(`p99 latency, ${scenario}`, 'p99 (ms)', labels, withData.map((p) => p.scenarios[scenario]!.p99Ms)),
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
    'Medians per run; the same runner fingerprint and scenario definitions throughout.',
    '',
    '</details>',
    '',
  ].join('\n');
}
