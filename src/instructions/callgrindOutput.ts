// Pure: reading Callgrind's output. A dump file carries its total in a `summary:` (or
// `totals:`) line; callgrind_annotate --inclusive=yes lists every function's inclusive count.
import type { FunctionCost } from '../types.js';

/** Instructions (Ir) in one Callgrind dump file, or undefined when the file has no total. */
export function dumpTotal(text: string): number | undefined {
  const m = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

const ROW = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)\s*$/;

/** The function rows of `callgrind_annotate --inclusive=yes` output, in its order (largest first). */
export function parseAnnotate(text: string): FunctionCost[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\s*Ir\s+file:function\s*$/.test(l));
  if (header < 0) return [];
  const out: FunctionCost[] = [];
  for (const line of lines.slice(header + 1)) {
    const m = ROW.exec(line);
    if (!m) {
      if (out.length && line.trim() === '') break;
      continue;
    }
    out.push({ fn: m[2]!, inclusive: Number(m[1]!.replace(/,/g, '')) });
  }
  return out;
}
