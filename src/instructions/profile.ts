// Pure: a Callgrind dump turned into the rows of "where the instructions went", per request.
// With a perf map (CPython 3.12+), Callgrind's unnamed trampolines become Python functions and the
// profile lists those, plus what the interpreter spent outside any Python function; without one,
// it lists native functions, one row per function (recursion levels and inlined-header twins merged).
//
// Inclusive counts come from the outermost activation only: Callgrind names nested activations of
// a function that is already running `name'2`, and the cost of a call is measured when it runs, so
// the outermost one already holds the nested ones (adding them would count them twice). Calls add
// up over all activations. A Python function's own (self) instructions are not given: between two
// Python functions lie the interpreter's C frames, which every Python function shares.
import type { CallgrindFunction, CallgrindGraph } from './callgrindGraph.js';
import { PerfMap, unnamedAddress } from './perfMap.js';
import { nativeFunctionName, pythonFunctionName, pythonLocation } from './functionNames.js';
import type { FunctionCost } from '../types.js';

export const OUTSIDE_PYTHON = 'interpreter, no Python frame';

export interface ProfileOptions {
  /** Requests the dump holds: rows are per request. */
  requests: number;
  /** CPython's perf map of the process (or of it and its parents), to name Python functions. */
  perfMap?: PerfMap;
  /** The server's repository and working directory, absolute: their files are the app's own. */
  appRoots: string[];
  /** Rows kept, largest inclusive first. */
  limit: number;
  /** The line of an app function's definition (file absolute, as the code object has it). */
  lineOf?: (file: string, qualname: string) => number | undefined;
}

interface Row extends FunctionCost {
  self: number;
  calls: number;
}

export interface Profile {
  rows: FunctionCost[];
  names: 'python' | 'c';
}

export function buildProfile(graph: CallgrindGraph, opts: ProfileOptions): Profile {
  const map = opts.perfMap && opts.perfMap.size > 0 ? opts.perfMap : undefined;
  const rowOf = new Map<number, Row>();
  const rows = new Map<string, Row>();
  const row = (f: CallgrindFunction): Row => {
    let r = rowOf.get(f.id);
    if (r) return r;
    let cost: Row;
    const address = unnamedAddress(f.name);
    const py = address !== undefined ? map?.lookup(address) : undefined;
    if (py) {
      const loc = pythonLocation(py.file, opts.appRoots);
      const app = loc.kind === 'app';
      cost = { fn: pythonFunctionName(loc, py.qualname), inclusive: 0, self: 0, calls: 0, kind: loc.kind, package: loc.package, file: app ? loc.path : undefined, line: app ? opts.lineOf?.(py.file, py.qualname) : undefined };
    } else {
      cost = { fn: address !== undefined ? `code without a symbol [${f.object === '???' ? 'unknown object' : nativeFunctionName('', f.object).trim()}]` : nativeFunctionName(f.name, f.object), inclusive: 0, self: 0, calls: 0, kind: 'native' };
    }
    r = rows.get(cost.fn) ?? cost;
    rows.set(r.fn, r);
    rowOf.set(f.id, r);
    return r;
  };
  for (const f of graph.functions.values()) {
    const r = row(f);
    r.self += f.self;
    const outermost = !/'\d+$/.test(f.name);
    if (outermost) r.inclusive += f.self;
    for (const call of f.calls) {
      const callee = graph.functions.get(call.to);
      if (!callee) continue;
      if (outermost) r.inclusive += call.cost;
      const target = row(callee);
      if (target !== r) target.calls += call.calls;
    }
  }
  const perRequest = (v: number) => v / opts.requests;
  const all = [...rows.values()];
  const python = all.filter((r) => r.kind !== 'native');
  const names = map && python.length ? 'python' : 'c';
  let kept: Row[];
  if (names === 'python') {
    // What ran outside every Python function: the request's total less the outermost Python frame's.
    const outermostPython = Math.max(0, ...python.map((r) => r.inclusive));
    const outside: Row = { fn: OUTSIDE_PYTHON, inclusive: Math.max(0, graph.total - outermostPython), self: 0, calls: 0, kind: 'interpreter' };
    kept = [...python, outside];
  } else {
    kept = all.filter((r) => !r.fn.startsWith('code without a symbol'));
  }
  return {
    names,
    rows: kept
      .sort((a, b) => b.inclusive - a.inclusive)
      .slice(0, opts.limit)
      .map((r) => ({
        ...r,
        inclusive: Math.round(perRequest(r.inclusive)),
        self: r.kind === 'native' ? Math.round(perRequest(r.self)) : undefined,
        calls: r.kind === 'interpreter' ? undefined : Math.round(perRequest(r.calls) * 100) / 100,
      })),
  };
}
