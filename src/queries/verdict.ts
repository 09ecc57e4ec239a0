// Pure: the queries gate. A count is exact (the same request on the same data sends the same
// statements), so no statistics: the head regresses when its queries per request grow by at least
// `maxIncrease` AND by at least `maxIncreasePct` percent of the baseline's. Defaults 2 and 20%:
// an N+1 over a page of rows fails, one deliberate extra query on a page that sends a few passes,
// and the table shows every change either way. Improvements mirror the rule.
import type { QueriesComparison, QueriesMeasurement, StatementChange } from '../types.js';

/** A statement sent at least this many times per request, and more than before, is named an N+1. */
export const N_PLUS_ONE_REPEATS = 5;
/** Counts per request are ratios of whole numbers: differences below this are rounding. */
const EPSILON = 1e-9;

export const NO_BASELINE = 'No baseline count to compare with.';

export interface QueriesRule {
  maxIncrease: number;
  maxIncreasePct: number;
}

const fmt = (v: number) => (Number.isInteger(Math.round(v * 100) / 100) ? String(Math.round(v)) : (Math.round(v * 100) / 100).toString());
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;

/** Fingerprints whose count per request differs, largest change first. */
export function statementChanges(base: QueriesMeasurement, head: QueriesMeasurement): StatementChange[] {
  const before = new Map(base.statements.map((s) => [s.fingerprint, s.perRequest]));
  const after = new Map(head.statements.map((s) => [s.fingerprint, s.perRequest]));
  const out: StatementChange[] = [];
  for (const fp of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(fp) ?? 0;
    const a = after.get(fp) ?? 0;
    if (Math.abs(a - b) > EPSILON) out.push({ fingerprint: fp, before: b, after: a, change: a - b });
  }
  return out.sort((x, y) => Math.abs(y.change) - Math.abs(x.change) || y.change - x.change || x.fingerprint.localeCompare(y.fingerprint));
}

/** The statement that grew into many repeats per request, if any (the largest such growth). */
export function nPlusOne(changes: StatementChange[]): StatementChange | undefined {
  return changes.find((c) => c.change >= 2 - EPSILON && c.after >= N_PLUS_ONE_REPEATS - EPSILON);
}

export function judgeQueries(scenario: string, target: string, base: QueriesMeasurement | undefined, head: QueriesMeasurement, rule: QueriesRule): QueriesComparison {
  const common = { scenario, target, candidate: head.perRequest, candidateMs: head.msPerRequest };
  if (!base) return { ...common, verdict: 'pass', reason: NO_BASELINE, changed: [] };
  const change = head.perRequest - base.perRequest;
  // From zero, any rise is past every percentage (kept undefined: JSON has no infinity).
  const changePct = base.perRequest > 0 ? (change / base.perRequest) * 100 : undefined;
  const pctOf = (sign: number) => (changePct === undefined ? (sign * change > EPSILON ? Infinity : 0) : sign * changePct);
  const changed = statementChanges(base, head);
  const repeated = nPlusOne(changed);
  const past = (d: number, pct: number) => d >= rule.maxIncrease - EPSILON && pct >= rule.maxIncreasePct - EPSILON;
  const verdict = past(change, pctOf(1)) ? 'regressed' : past(-change, pctOf(-1)) ? 'improved' : 'pass';
  const pctText = changePct !== undefined ? ` (${changePct >= 0 ? '+' : ''}${changePct.toFixed(0)}%)` : '';
  const what =
    Math.abs(change) <= EPSILON
      ? `Queries per request unchanged: ${fmt(head.perRequest)}${changed.length ? `, though ${changed.length} statement(s) changed their count` : ''}.`
      : `Queries per request ${fmt(base.perRequest)} -> ${fmt(head.perRequest)}, ${signed(change)}${pctText}`;
  const rest =
    verdict === 'regressed'
      ? `; past the threshold (+${fmt(rule.maxIncrease)} and +${rule.maxIncreasePct}%).${repeated ? ` N+1: \`${repeated.fingerprint}\` runs ${fmt(repeated.after)} times per request (was ${fmt(repeated.before)}).` : changed[0] ? ` Largest change: \`${changed[0].fingerprint}\` ${signed(changed[0].change)} per request.` : ''}`
      : verdict === 'improved'
        ? '; fewer queries, past the threshold.'
        : Math.abs(change) <= EPSILON
          ? ''
          : `; within the threshold (fails from +${fmt(rule.maxIncrease)} and +${rule.maxIncreasePct}%).`;
  return {
    ...common,
    baseline: base.perRequest,
    baselineMs: base.msPerRequest,
    change,
    changePct,
    verdict,
    reason: what + rest,
    changed,
    nPlusOne: repeated,
  };
}
