// Pure: the total of a Callgrind dump, read from its `summary:` (or `totals:`) line without
// parsing the whole call graph (callgrindGraph.ts does that for the profile).

/** Instructions (Ir) in one Callgrind dump file, or undefined when the file has no total. */
export function dumpTotal(text: string): number | undefined {
  const m = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
