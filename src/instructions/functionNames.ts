// Pure: names a reader recognises. A Python function by its file relative to the repository
// (`catalog/views.py`), to site-packages (`django/db/models/query.py`, package `django`) or to the
// standard library; a native function by its symbol and object file, without the recursion
// suffix Callgrind adds (`'2`) and without the paths of the machine that built it.
import path from 'node:path';
import type { FunctionKind } from '../types.js';

export interface PythonLocation {
  kind: Exclude<FunctionKind, 'native' | 'interpreter'>;
  /** The path shown: relative to the repository, to site-packages or to the standard library. */
  path: string;
  package?: string;
}

/** Where a code object's file lives. appRoots: the repository (and working directory) of the server, absolute. */
export function pythonLocation(file: string, appRoots: string[]): PythonLocation {
  if (/^<frozen /.test(file)) return { kind: 'stdlib', path: file };
  // Code compiled from a string (`<string>`, Django's generated lambdas): no file of the app.
  if (!path.isAbsolute(file)) return { kind: 'library', path: file, package: file };
  const installed = /[\\/](?:site|dist)-packages[\\/](.+)$/.exec(file);
  if (installed) {
    const rel = installed[1]!.replace(/\\/g, '/');
    return { kind: 'library', path: rel, package: rel.split('/')[0]!.replace(/\.py$/, '') };
  }
  for (const root of appRoots) {
    const rel = path.relative(root, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { kind: 'app', path: rel.split(path.sep).join('/') };
  }
  const stdlib = /[\\/]lib[\\/]python3\.\d+[\\/](.+)$/.exec(file);
  if (stdlib) return { kind: 'stdlib', path: stdlib[1]!.replace(/\\/g, '/') };
  // Somewhere else on the machine (a script outside the repository): its own path says most.
  return { kind: 'library', path: file, package: path.basename(path.dirname(file)) || file };
}

/** `QuerySet.__iter__`, `<module>`: the qualname perf maps give; `<locals>` parts shortened. */
export function pythonFunctionName(loc: PythonLocation, qualname: string): string {
  return `${loc.path}:${qualname.replace(/\.<locals>\./g, '.')}`;
}

/** A symbol without Callgrind's recursion suffix (`_PyEval_Vector'2` -> `_PyEval_Vector`). */
export function withoutRecursionLevel(name: string): string {
  return name.replace(/'\d+$/, '');
}

/** `libpython3.11.so.1.0`, `libz.so.1.2.13`; '' for an unknown object. */
export function objectName(object: string): string {
  return object === '???' || !object ? '' : path.basename(object);
}

/** One row per native function: `crc32_z [libz.so.1.2.13]`, whatever file or recursion level Callgrind saw it in. */
export function nativeFunctionName(symbol: string, object: string): string {
  const obj = objectName(object);
  return obj ? `${withoutRecursionLevel(symbol)} [${obj}]` : withoutRecursionLevel(symbol);
}
