// Pure renderer: the queries-per-request section of the summary and PR comment. Statements appear
// as fingerprints only (literals and placeholders as `?`); the statements whose count changed are
// listed, folded under <details> when more than a few, with the N+1 named above them.
import { code, escapeText, table } from './markdown.js';
import { NO_BASELINE } from '../queries/verdict.js';
import type { QueriesComparison, QueriesResult, StatementChange } from '../types.js';

const BADGE: Record<QueriesComparison['verdict'], string> = { pass: '✅ pass', regressed: '❌ regressed', improved: '🚀 improved', inconclusive: '⚠️ inconclusive' };
/** Changed statements shown unfolded; more go under <details>. */
export const OPEN_ROWS = 3;

/** Counts per request: whole numbers as they are, others with two decimals. */
export function formatCount(v: number | undefined): string {
  if (v === undefined) return '—';
  const r = Math.round(v * 100) / 100;
  return Number.isInteger(r) ? String(r) : r.toFixed(2);
}
const signedCount = (v: number) => `${v >= 0 ? '+' : '−'}${formatCount(Math.abs(v))}`;
const ms = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(v >= 10 ? 1 : 2)} ms`);

function changeText(c: QueriesComparison): string {
  if (c.change === undefined) return '—';
  if (Math.abs(c.change) < 1e-9) return '0';
  return `${signedCount(c.change)}${c.changePct === undefined ? ' (new)' : ` (${c.changePct >= 0 ? '+' : ''}${c.changePct.toFixed(0)}%)`}`;
}

function statementTable(rows: StatementChange[]): string {
  return table(
    ['Statement (fingerprint)', 'Before', 'After', 'Change per request'],
    rows.map((s) => [code(s.fingerprint), formatCount(s.before), formatCount(s.after), signedCount(s.change)]),
  );
}

/** The lines a reader sees at the top when queries regressed. */
export function queriesRegressions(r: QueriesResult | undefined): string[] {
  return (r?.comparisons ?? []).filter((c) => c.verdict === 'regressed').map((c) => `- **${escapeText(c.scenario)}** (queries per request): ${escapeText(c.reason)}`);
}

export function renderQueries(r: QueriesResult | undefined): string {
  if (!r) return '';
  if (r.status !== 'measured') return `${escapeText(r.note ?? 'Queries per request were not counted.')}\n`;
  const out = [`### Database queries per request — ${BADGE[r.verdict]}`, ''];
  out.push(
    table(
      ['Scenario', 'Baseline', 'Candidate', 'Change', 'Time in queries (info)', 'Verdict'],
      r.comparisons.map((c) => [
        escapeText(c.scenario),
        formatCount(c.baseline),
        formatCount(c.candidate),
        changeText(c),
        `${ms(c.baselineMs)} → ${ms(c.candidateMs)}`,
        c.baseline === undefined ? 'no baseline' : BADGE[c.verdict],
      ]),
    ),
    '',
  );
  const m = r.measurements[0];
  const seconds = r.measurements.reduce((s, x) => s + x.seconds, 0);
  if (m) {
    const drivers = [...new Set(r.measurements.flatMap((x) => x.drivers))];
    out.push(
      `Counted in the server's worker process (${escapeText(drivers.join(', ') || 'no counted driver loaded')}), one request at a time: ${m.warmupRequests} warm-up requests, then ${m.requests} counted. ` +
        `Every execute/executemany call counts once; counts are exact, so the rule is too: fails from +${r.threshold.maxIncrease} queries per request and +${r.threshold.maxIncreasePct}%. ` +
        `Time in queries is wall clock inside those calls (information, not gated). Baseline: ${escapeText(r.baselineSource ?? 'none')}. Cost: ${seconds.toFixed(0)} s.`,
      '',
    );
  }
  const others = [...new Set(r.measurements.flatMap((x) => x.otherDrivers))];
  if (others.length) out.push(`Note: the app also loaded ${escapeText(others.join(', '))}, whose queries are not counted.`, '');
  for (const c of r.comparisons) {
    if (c.baseline === undefined && c.reason !== NO_BASELINE) out.push(`Note (${escapeText(c.scenario)}): ${escapeText(c.reason)}`, '');
    if (!c.changed.length) continue;
    if (c.nPlusOne) {
      out.push(`**N+1 in ${escapeText(c.scenario)}**: ${code(c.nPlusOne.fingerprint)} runs ${formatCount(c.nPlusOne.after)} times per request (was ${formatCount(c.nPlusOne.before)}): one query per row; fetch the rows together (Django: \`select_related\` / \`prefetch_related\`; SQLAlchemy: \`joinedload\` / \`selectinload\`).`, '');
    }
    const title = `Statements whose count changed: ${escapeText(c.scenario)} (${c.changed.length})`;
    if (c.changed.length <= OPEN_ROWS) out.push(`${title}:`, '', statementTable(c.changed), '');
    else out.push(`<details><summary>${title}</summary>`, '', statementTable(c.changed), '', '</details>', '');
  }
  return out.join('\n');
}
