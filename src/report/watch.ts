// Pure renderer: the watch over main (src/changes/) as Markdown, for the push's job summary
// (always, every finding) and for the commit comment (only what is new).
import { code, escapeText, table } from './markdown.js';
import type { WatchChangePoint, WatchCreep, WatchReport } from '../changes/watch.js';

const short = (c: string) => c.slice(0, 12);
const signed = (v: number, digits = 2) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}%`;

function value(v: number, label: string): string {
  if (label === 'instructions per request') return `${(v / 1e6).toFixed(3)}M`;
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);
}

function pValue(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`;
}

/** One sentence per creep: "main is +2.1% instructions per request heavier than at ... in 7 steps, the largest ...". */
export function creepSentence(c: WatchCreep): string {
  const heavier = c.creepPct >= 0 ? 'heavier' : 'lighter';
  const largest = c.largest.map((s) => `${signed(s.changePct)} at ${code(short(s.commit))}`);
  const explained = Math.abs(c.totalPct - c.creepPct) > 0.005 ? ` (${signed(c.totalPct)} in all, ${signed(c.totalPct - c.creepPct)} of it in change points reported on their own)` : '';
  return (
    `main is ${signed(c.creepPct, 1)} ${escapeText(c.label)} ${heavier} on ${code(c.scenario)} than at ${escapeText(c.anchorLabel)} (${code(short(c.anchorCommit))})${explained}, ` +
    `in ${c.worseSteps} step(s) over ${c.pushes} push(es)${largest.length ? `, the largest ${largest.join(', ')}` : ''}.`
  );
}

function rangeText(cp: WatchChangePoint): string {
  const n = cp.range?.length;
  if (cp.bisect?.firstBad) return `first bad commit ${code(short(cp.bisect.firstBad))} (bisect counted ${cp.bisect.measured.length} of the ${n} commits)`;
  const note = cp.bisect?.note ? `; bisect: ${escapeText(cp.bisect.note)}` : '';
  if (n === undefined || n <= 1) return `at ${code(short(cp.commit))}${note}`;
  return `in the ${n} commits ${code(short(cp.previousCommit))}..${code(short(cp.commit))}${cp.bisect ? note : ' (bisect: true counts them to name the first bad one)'}`;
}

/** One sentence per change point, with its size and p-value; wall-clock ones say they are not certain. */
export function changePointSentence(cp: WatchChangePoint): string {
  const kind = cp.kind === 'exact' ? 'exact count' : 'wall-clock figure on a shared runner: a likely change, not a certainty';
  const direction = cp.worse ? 'worse' : 'better';
  const after = cp.runsAfter === 1 ? '; this push alone so far' : `; ${cp.runsAfter} pushes since`;
  return (
    `${escapeText(cp.label)} on ${code(cp.scenario)} changed ${signed(cp.changePct)} (${direction}): ${value(cp.before, cp.label)} → ${value(cp.after, cp.label)}, ` +
    `${rangeText(cp)} (${pValue(cp.pValue)}, ${kind}${after}).`
  );
}

export function renderWatch(report: WatchReport): string {
  const out = ['### Watch over main', ''];
  const worse = report.changePoints.filter((c) => c.worse);
  if (!report.changePoints.length && !report.creep.length) {
    out.push(`No change point and no creep in the ${report.runs} recorded push(es) on this runner and config.`);
  }
  for (const c of report.creep) out.push(`- ${c.isNew ? '🆕 ' : ''}📈 ${creepSentence(c)}`);
  for (const cp of report.changePoints) out.push(`- ${cp.isNew && cp.worse ? '🆕 ' : ''}${cp.worse ? '⚠️' : '🚀'} ${changePointSentence(cp)}`);
  const short = report.series.filter((s) => s.needsMore > 0);
  if (short.length) {
    out.push('', ...short.map((s) => `- ${escapeText(s.label)} on ${code(s.scenario)}: ${s.runs} recorded push(es); ${s.needsMore} more before a change can be judged.`));
  }
  out.push(
    '',
    '<details><summary>Series watched</summary>',
    '',
    table(
      ['Scenario', 'Series', 'Pushes', 'Smallest step that counts', 'Run-to-run spread'],
      report.series.map((s) => [code(s.scenario), escapeText(s.label), String(s.runs), `${s.minStepPct.toFixed(2)}%`, s.spreadPct === undefined ? (s.kind === 'exact' ? 'exact' : '–') : `${s.spreadPct.toFixed(2)}%`]),
    ),
    '',
    `Change points: binary segmentation with Student's t-test (false alarms ≤ 1% per series), steps measured over up to 3 pushes (exact) or 5 (wall-clock) either side. ${worse.length ? 'A change point is reported once; later pushes list it without 🆕.' : ''}`,
    '',
    '</details>',
    '',
  );
  return out.join('\n');
}

/** The commit comment: only what this push found first. Undefined when nothing is new. */
export function renderWatchComment(report: WatchReport, runUrl?: string): string | undefined {
  const cps = report.changePoints.filter((c) => c.isNew && c.worse);
  const creep = report.creep.filter((c) => c.isNew);
  if (!cps.length && !creep.length) return undefined;
  return [
    '<!-- wsgi-perf-gate:watch -->',
    '### wsgi-perf-gate: watch over main',
    '',
    ...creep.map((c) => `- 📈 ${creepSentence(c)}`),
    ...cps.map((c) => `- ⚠️ ${changePointSentence(c)}`),
    '',
    runUrl ? `Reported once; the job summary of [this run](${runUrl}) lists every finding.` : 'Reported once; the job summary lists every finding.',
    '',
  ].join('\n');
}
