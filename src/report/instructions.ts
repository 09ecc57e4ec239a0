// Pure renderer: the instructions-per-request section of the summary and PR comment, with the
// functions the change went to folded under <details>.
import { code, escapeText, table } from './markdown.js';
import { NO_BASELINE_REASON } from '../gate/instructionsVerdict.js';
import type { FunctionChange, InstructionsComparison, InstructionsResult } from '../types.js';

const BADGE: Record<InstructionsComparison['verdict'], string> = { pass: '✅ pass', regressed: '❌ regressed', improved: '🚀 improved', inconclusive: '⚠️ inconclusive' };

export const BLIND_SPOTS =
  'Instructions count the CPU work of the server\'s worker processes only: they do not see time spent waiting for a database or ' +
  'the network, time in the kernel (system calls), lock contention, cache and memory stalls, or the cyclic garbage collector ' +
  '(switched off while counting, so that every window counts the same work). The wall-clock figures above do.';

export const PYTHON_FRAMES_NOTE =
  'Python functions appear as the interpreter\'s C functions (e.g. `_PyEval_EvalFrameDefault`): Callgrind sees the C stack of ' +
  'CPython, and on Python 3.11 and older there is no way to name the Python function; functions called from Python ' +
  '(C extensions, the standard library\'s C modules, libc) are named.';

export function formatInstructions(v: number | undefined): string {
  if (v === undefined) return '—';
  return v >= 1e6 ? `${(v / 1e6).toFixed(3)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0);
}

const signed = (v: number | undefined, digits = 2) => (v === undefined ? '—' : !Number.isFinite(v) ? 'new' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}%`);

function functionTable(rows: FunctionChange[]): string {
  return table(
    ['file:function', 'Before', 'After', 'Change'],
    rows.map((f) => [code(f.fn), formatInstructions(f.before), formatInstructions(f.after), `${signed(f.changePct, 1)} (${f.after >= f.before ? '+' : '−'}${formatInstructions(Math.abs(f.after - f.before))})`]),
  );
}

/** The lines a reader sees at the top when instructions regressed. */
export function instructionsRegressions(r: InstructionsResult | undefined): string[] {
  return (r?.comparisons ?? []).filter((c) => c.verdict === 'regressed').map((c) => `- **${escapeText(c.scenario)}** (instructions per request): ${escapeText(c.reason)}`);
}

export function renderInstructions(r: InstructionsResult | undefined): string {
  if (!r) return '';
  if (r.status !== 'measured') return `${escapeText(r.note ?? 'Instructions per request were not counted.')}\n`;
  const out = [`### Instructions per request (Valgrind) — ${BADGE[r.verdict]}`, ''];
  out.push(
    table(
      ['Scenario', 'Baseline', 'Candidate', 'Change', 'Interval', 'Verdict'],
      r.comparisons.map((c) => [
        escapeText(c.scenario),
        formatInstructions(c.baseline),
        formatInstructions(c.candidate),
        signed(c.changePct),
        c.ciLowPct === undefined ? '—' : `${signed(c.ciLowPct)} to ${signed(c.ciHighPct)}`,
        BADGE[c.verdict],
      ]),
    ),
    '',
  );
  const m = r.measurements[0];
  const seconds = r.measurements.reduce((s, x) => s + x.seconds, 0);
  const perSide = r.measurements.map((x) => `${escapeText(x.target)} / ${escapeText(x.scenario)} ${x.seconds.toFixed(0)} s`).join(', ');
  if (m) {
    out.push(
      `Counted under Callgrind (${escapeText(r.valgrind ?? 'valgrind')}) in the worker processes only, one request at a time, \`PYTHONHASHSEED=0\`` +
        `${m.counting?.cyclicGc === false ? ', cyclic garbage collector off' : ''}${m.counting?.idleFirst ? ', each request sent once the worker is idle' : ''}: ` +
        `${m.warmupRequests} warm-up requests, then ${m.perRequest.length} windows of ${m.requestsPerWindow} requests; the interval is the change ± the largest spread between windows. ` +
        `Threshold ${r.comparisons[0]?.thresholdPct ?? '?'}%. Baseline: ${escapeText(r.baselineSource ?? 'none')}. Cost: ${seconds.toFixed(0)} s (${perSide}).`,
      '',
    );
  }
  if (r.note) out.push(`Note: ${escapeText(r.note)}`, '');
  // Why a baseline that exists was not compared (e.g. counted another way).
  for (const c of r.comparisons) {
    if (c.baseline === undefined && c.reason !== NO_BASELINE_REASON) out.push(`Note (${escapeText(c.scenario)}): ${escapeText(c.reason)}`, '');
  }
  out.push(BLIND_SPOTS, '');
  for (const c of r.comparisons) {
    if (!c.functions?.length) continue;
    out.push(
      `<details><summary>Where the instructions went: ${escapeText(c.scenario)} (inclusive instructions per request, largest changes)</summary>`,
      '',
      functionTable(c.functions),
      '',
      PYTHON_FRAMES_NOTE,
      '',
      '</details>',
      '',
    );
  }
  return out.join('\n');
}
