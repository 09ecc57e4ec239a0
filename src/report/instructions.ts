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

/** Under a table of C functions: how to get Python functions instead. */
export const PYTHON_312_HINT = 'These are the interpreter\'s C functions: on Python 3.12 and newer this table names the Python functions (`file.py:function`) instead.';

/** Under a table of Python functions: what the figures are. */
export const PYTHON_FUNCTIONS_NOTE =
  'Inclusive instructions per request of each Python function (its callees included), from one window of the same requests under ' +
  'Python\'s perf trampoline (a profiling boot of its own: the trampoline changes the count, so the gate\'s counts above are made without it). ' +
  'A function that calls itself, directly or through others, is counted once per outermost call.';

export function formatInstructions(v: number | undefined): string {
  if (v === undefined) return '—';
  return v >= 1e6 ? `${(v / 1e6).toFixed(3)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0);
}

const signed = (v: number | undefined, digits = 2) => (v === undefined ? '—' : !Number.isFinite(v) ? 'new' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}%`);

const attribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const calls = (v: number | undefined) => (v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));

/** `crc32_z [libz.so.1]` -> ['crc32_z', 'libz.so.1']. */
function nativeParts(fn: string): [string, string] {
  const m = /^(.*) \[([^\]]+)\]$/.exec(fn);
  return m ? [m[1]!, m[2]!] : [fn, ''];
}

function where(f: FunctionChange): string {
  switch (f.kind) {
    case 'app':
      return 'this repository';
    case 'library':
      return escapeText(f.package ?? 'library');
    case 'stdlib':
      return 'standard library';
    case 'interpreter':
      return '—';
    default:
      return escapeText(nativeParts(f.fn)[1] || 'native');
  }
}

function functionCell(f: FunctionChange): string {
  const name = f.kind === 'interpreter' ? `<i>${escapeText(f.fn)}</i>` : code(f.kind === 'native' || f.kind === undefined ? nativeParts(f.fn)[0] : f.fn);
  const linked = f.link ? `<a href="${attribute(f.link)}">${name}</a>` : name;
  return f.callers ? `${linked} <sub>and ${f.callers} caller${f.callers === 1 ? '' : 's'} with the same change</sub>` : linked;
}

function functionTable(rows: FunctionChange[]): string {
  return table(
    ['Function', 'Where', 'Before', 'After', 'Change', 'Calls per request'],
    rows.map((f) => [
      functionCell(f),
      where(f),
      formatInstructions(f.before),
      formatInstructions(f.after),
      `${signed(f.changePct, 1)} (${f.after >= f.before ? '+' : '−'}${formatInstructions(Math.abs(f.after - f.before))})`,
      f.kind === 'interpreter' ? '—' : f.callsBefore === f.callsAfter ? calls(f.callsAfter) : `${calls(f.callsBefore ?? 0)} → ${calls(f.callsAfter ?? 0)}`,
    ]),
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
    if (c.functionsNote) out.push(`Note (${escapeText(c.scenario)}): ${escapeText(c.functionsNote)}`, '');
    if (!c.functions?.length) continue;
    const python = c.functionNames === 'python';
    const seconds = r.measurements.filter((m) => m.scenario === c.scenario && m.profileSeconds !== undefined).reduce((s, m) => s + m.profileSeconds!, 0);
    out.push(
      `<details><summary>Where the instructions went: ${escapeText(c.scenario)} (${python ? 'Python functions' : 'C functions'}, inclusive instructions per request, largest changes)</summary>`,
      '',
      functionTable(c.functions),
      '',
    );
    if (c.functionsFolded) out.push(`${c.functionsFolded} more changed function${c.functionsFolded === 1 ? '' : 's'} with smaller changes not shown.`, '');
    out.push(python ? `${PYTHON_FUNCTIONS_NOTE}${seconds ? ` Profiling cost: ${seconds.toFixed(0)} s.` : ''}` : PYTHON_312_HINT, '', '</details>', '');
  }
  return out.join('\n');
}
