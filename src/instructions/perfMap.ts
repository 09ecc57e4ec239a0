// Pure: CPython's perf map (`/tmp/perf-<pid>.map`, written with `-X perf` / PYTHONPERFSUPPORT=1 on
// 3.12+). Each Python function called gets a small trampoline of machine code, and one line names
// it: `<start hex> <size hex> py::<qualname>:<file>`. Callgrind has no symbol for that code and
// calls it by its address (`0x000000000547c7bc`), which this map turns back into the function.

export interface PythonFunctionName {
  qualname: string;
  /** The code object's co_filename: a path, or `<frozen importlib._bootstrap>`. */
  file: string;
}

interface Entry extends PythonFunctionName {
  start: number;
  end: number;
}

export class PerfMap {
  private readonly entries: Entry[];

  /** Later lines win: a trampoline's address may be given out again after its code object died. */
  constructor(text: string) {
    const byStart = new Map<number, Entry>();
    for (const line of text.split('\n')) {
      const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) py::(.*)$/.exec(line.trim());
      if (!m) continue;
      const rest = m[3]!;
      // qualnames hold no ':'; file names may (`<frozen ...>` does not, a Windows path would).
      const colon = rest.indexOf(':');
      if (colon < 0) continue;
      const start = parseInt(m[1]!, 16);
      byStart.set(start, { start, end: start + parseInt(m[2]!, 16), qualname: rest.slice(0, colon), file: rest.slice(colon + 1) });
    }
    this.entries = [...byStart.values()].sort((a, b) => a.start - b.start);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The Python function whose trampoline holds the address, if any. */
  lookup(address: number): PythonFunctionName | undefined {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = this.entries[mid]!;
      if (address < e.start) hi = mid - 1;
      else if (address >= e.end) lo = mid + 1;
      else return { qualname: e.qualname, file: e.file };
    }
    return undefined;
  }
}

/** The address Callgrind gives code without a symbol (`0x000000000547c7bc`, `0x...'2`), or undefined for a named function. */
export function unnamedAddress(callgrindName: string): number | undefined {
  const m = /^0x([0-9a-f]+)(?:'\d+)?$/i.exec(callgrindName);
  return m ? parseInt(m[1]!, 16) : undefined;
}
