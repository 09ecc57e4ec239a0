// Pure: the rows of "where the instructions went" for one scenario, from the base's and the
// head's profiles. A change shows up in the function that made it and again in every caller
// above it (the server's loop, the framework's handlers, the middleware): a caller whose change is
// the same as a deeper function's only passed it through, and is folded into that row. The rows
// left are the largest changes (the app's own always among them), ordered for a reader: the
// app's own functions, then the libraries', the standard library's, native code, and last the
// interpreter outside any Python function.
import type { FunctionChange, FunctionCost, FunctionKind } from '../types.js';

/** Rows shown; the rest are counted in `folded`. */
export const TABLE_ROWS = 15;
/** Share of the whole request above which a function is the trunk every change passes through. */
const TRUNK_SHARE = 0.9;
/** Two changes this close (relative) are the same change seen from a caller. */
const SAME_CHANGE = 0.02;
/** Changes below this share of the largest are the run-to-run wobble of the server's own state (a header parsed, a socket accepted): not shown. */
const NOISE_SHARE = 0.01;
/** ...unless the app's own function changed by this much of itself (an N+1's fix is small beside the ORM's change). */
const APP_OWN_CHANGE_PCT = 5;

const ORDER: Record<FunctionKind, number> = { app: 0, library: 1, stdlib: 2, native: 3, interpreter: 4 };

export interface FunctionTable {
  rows: FunctionChange[];
  /** Changed functions not shown (they changed less than the rows shown). */
  folded: number;
}

/** Optional `link(file, line)` makes a GitHub link for the app's functions with a known line (the head's). */
export function functionTable(before: FunctionCost[], after: FunctionCost[], link?: (file: string, line: number) => string, limit = TABLE_ROWS, profileLimit = Infinity): FunctionTable {
  // A profile cut at profileLimit rows has no function below its smallest: absent there means "below that", not 0.
  const floor = (costs: FunctionCost[]) => (costs.length >= profileLimit ? Math.min(...costs.map((f) => f.inclusive)) : 0);
  const [floorBefore, floorAfter] = [floor(before), floor(after)];
  const trunk = (costs: FunctionCost[]) => TRUNK_SHARE * Math.max(0, ...costs.filter((f) => f.kind !== 'interpreter').map((f) => f.inclusive));
  const [trunkBefore, trunkAfter] = [trunk(before), trunk(after)];
  const b = new Map(before.map((f) => [f.fn, f]));
  const a = new Map(after.map((f) => [f.fn, f]));
  const changed: Array<FunctionChange & { depth: number }> = [];
  for (const fn of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(fn);
    const y = a.get(fn);
    const [bx, ay] = [x?.inclusive ?? 0, y?.inclusive ?? 0];
    if ((!x && ay < 2 * floorBefore) || (!y && bx < 2 * floorAfter)) continue;
    const kind = y?.kind ?? x?.kind;
    if (kind !== 'interpreter' && bx >= trunkBefore && ay >= trunkAfter) continue;
    if (bx === ay && (x?.calls ?? 0) === (y?.calls ?? 0)) continue;
    const meta = y ?? x!;
    changed.push({
      fn,
      before: bx,
      after: ay,
      changePct: bx > 0 ? (ay / bx - 1) * 100 : Infinity,
      kind,
      package: meta.package,
      callsBefore: x?.calls,
      callsAfter: y?.calls,
      link: link && y?.kind === 'app' && y.file && y.line ? link(y.file, y.line) : undefined,
      depth: Math.min(bx || Infinity, ay || Infinity),
    });
  }
  // Deepest first: a function is kept unless a deeper kept one changed by the same amount.
  changed.sort((p, q) => p.depth - q.depth);
  const kept: Array<FunctionChange & { depth: number }> = [];
  for (const c of changed) {
    const delta = c.after - c.before;
    const same =
      c.kind !== 'interpreter' &&
      kept.find((k) => k.kind !== 'interpreter' && Math.sign(k.after - k.before) === Math.sign(delta) && Math.abs(k.after - k.before - delta) <= SAME_CHANGE * Math.abs(delta));
    if (same) same.callers = (same.callers ?? 0) + 1;
    else kept.push(c);
  }
  const largest = Math.max(0, ...kept.filter((c) => c.kind !== 'interpreter').map((c) => Math.abs(c.after - c.before)));
  const byChange = kept
    .filter((c) => Math.abs(c.after - c.before) >= NOISE_SHARE * largest || (c.kind === 'app' && Math.abs(c.changePct) >= APP_OWN_CHANGE_PCT))
    .sort((p, q) => Math.abs(q.after - q.before) - Math.abs(p.after - p.before));
  // The app's own changed functions are shown even when small (up to half the rows): an N+1's
  // fix is often a small change in the app (a select_related gone) under a large one in the ORM.
  const own = byChange.filter((c) => c.kind === 'app').slice(0, Math.ceil(limit / 2));
  const shown = [...own, ...byChange.filter((c) => !own.includes(c)).slice(0, limit - own.length)];
  const rank = (c: FunctionChange) => ORDER[c.kind ?? 'native'];
  shown.sort((p, q) => rank(p) - rank(q) || Math.abs(q.after - q.before) - Math.abs(p.after - p.before));
  return { rows: shown.map(({ depth: _d, ...row }) => (void _d, row)), folded: byChange.length - shown.length };
}
