// Pure: Callgrind's output format read into a call graph. Each function gets its own cost ("self")
// and its calls (callee, how often, and the cost of those calls measured when they ran).
// Names are compressed in the file ("fn=(12) name" once, "fn=(12)" after); positions may be
// relative ("+3", "-1", "*"); the first event (Ir) is the one counted. Format:
// https://valgrind.org/docs/manual/cl-format.html

export interface CallgrindCall {
  /** Id of the called function. */
  to: number;
  calls: number;
  /** Instructions executed inside those calls, callees included. */
  cost: number;
}

export interface CallgrindFunction {
  id: number;
  /** As Callgrind names it: a symbol, or `0x...` for code without one (e.g. CPython's perf trampolines), `'2` for a recursion level. */
  name: string;
  /** The ELF object (`/usr/lib/x86_64-linux-gnu/libz.so.1.2.13`, `???` when unknown). */
  object: string;
  file: string;
  self: number;
  calls: CallgrindCall[];
}

export interface CallgrindGraph {
  /** The dump's total (its `summary:`/`totals:` line), or the sum of self costs. */
  total: number;
  functions: Map<number, CallgrindFunction>;
}

/** `(12) name` -> [12, 'name'], `(12)` -> [12, undefined], `name` -> [undefined, 'name']. */
function compressed(value: string): [number | undefined, string | undefined] {
  const m = /^\((\d+)\)\s*(.*)$/.exec(value);
  if (!m) return [undefined, value];
  return [Number(m[1]), m[2] ? m[2] : undefined];
}

class NameTable {
  private readonly byId = new Map<number, string>();
  read(value: string): string {
    const [id, name] = compressed(value.trim());
    if (id === undefined) return name ?? '';
    if (name !== undefined) this.byId.set(id, name);
    return this.byId.get(id) ?? `(${id})`;
  }
}

export function parseCallgrind(text: string): CallgrindGraph {
  const files = new NameTable();
  const objects = new NameTable();
  const fnIds = new Map<string, number>();
  const fnNames = new Map<number, string>();
  const functions = new Map<number, CallgrindFunction>();
  let positions = 1;
  let summary: number | undefined;
  let object = '???';
  let file = '???';
  let current: CallgrindFunction | undefined;
  let calleeObject: string | undefined;
  let pendingCall: { to: number; calls: number } | undefined;
  let calleeId: number | undefined;
  let selfSum = 0;

  // Function ids are global, but a file may also name functions without ids (no compression).
  const functionId = (value: string): number => {
    const [id, name] = compressed(value.trim());
    if (id !== undefined) {
      if (name !== undefined) fnNames.set(id, name);
      return id;
    }
    const key = name ?? '';
    if (!fnIds.has(key)) {
      const synthetic = -(fnIds.size + 1);
      fnIds.set(key, synthetic);
      fnNames.set(synthetic, key);
    }
    return fnIds.get(key)!;
  };
  const functionFor = (id: number, obj: string, fl: string): CallgrindFunction => {
    let f = functions.get(id);
    if (!f) {
      f = { id, name: fnNames.get(id) ?? `(${id})`, object: obj, file: fl, self: 0, calls: [] };
      functions.set(id, f);
    }
    return f;
  };

  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line || line.startsWith('#')) continue;
    const c0 = line.charCodeAt(0);
    const isCost = (c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 42; // digit + - *
    if (isCost) {
      const fields = line.split(/\s+/);
      const ir = Number(fields[positions] ?? 0) || 0;
      if (pendingCall) {
        if (current) current.calls.push({ ...pendingCall, cost: ir });
        pendingCall = undefined;
      } else if (current) {
        current.self += ir;
        selfSum += ir;
      }
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      switch (key) {
        case 'ob':
          object = objects.read(value);
          break;
        case 'fl':
          file = files.read(value);
          break;
        case 'fi':
        case 'fe':
          files.read(value); // inlined code's file: its cost stays with the function
          break;
        case 'fn':
          current = functionFor(functionId(value), object, file);
          // A function first seen as a callee gets its own object and file here.
          current.object = object;
          current.file = file;
          calleeObject = undefined;
          break;
        case 'cob':
          calleeObject = objects.read(value);
          break;
        case 'cfi':
        case 'cfl':
          files.read(value);
          break;
        case 'cfn': {
          calleeId = functionId(value);
          break;
        }
        case 'calls': {
          const count = Number(value.trim().split(/\s+/)[0]);
          if (calleeId !== undefined) {
            // Make sure the callee exists even if it has no cost lines of its own.
            if (!functions.has(calleeId)) functionFor(calleeId, calleeObject ?? object, '???');
            pendingCall = { to: calleeId, calls: count };
          }
          calleeObject = undefined;
          break;
        }
        default:
          break; // jump=, jcnd=, ...: not used
      }
      continue;
    }
    if (colon > 0) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (key === 'positions') positions = value.split(/\s+/).length;
      else if ((key === 'summary' || key === 'totals') && summary === undefined) summary = Number(value.split(/\s+/)[0]);
    }
  }
  return { total: summary ?? selfSum, functions };
}
